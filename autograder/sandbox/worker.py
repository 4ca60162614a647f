"""The student's process: imports the submission and answers calls.

Started by ``sandbox/launch.py`` as ``python -I -S -B worker.py CONFIG``. It sets
its own limits, drops privileges when it was started as root, imports the
submission, then reads requests and writes replies through ``wire``. Everything
here is trusted only as far as the student's code lets it be: the grader treats
every reply as untrusted data.
"""

import functools
import importlib.util
import json
import mmap
import os
import sys
import traceback

# NumPy's global generator starts from this seed in every worker.
UNSEEDED_START = 918_273_645
HERE = os.path.dirname(os.path.abspath(__file__))
# The third-party packages the grader lets student code import, named when a submission imports another.
AVAILABLE: list[str] = []


def main():
    config = json.loads(sys.argv[1])
    wire, seccomp, np = warm_up(config)
    if config.get("template"):
        import fork_server  # type: ignore[import-not-found]  # noqa: PLC0415 - the worker's sibling, on its path only once warm_up ran

        fork_server.serve(config, run=lambda child_config: run(child_config, wire, np, seccomp))
        return
    run(config, wire, np, seccomp)


def warm_up(config):
    """What every worker needs before it knows whose code it runs: the import path, wire, seccomp and NumPy."""
    move_imports(config.get("moved", []))
    # Started with -S: no site-packages, so no .pth files and no editable
    # installs; only the folders that hold NumPy (and friends) are added.
    sys.path.extend(config["library_paths"])
    sys.path.insert(0, HERE)
    import seccomp  # type: ignore[import-not-found]  # noqa: PLC0415 - only importable once HERE is on the path
    import wire  # type: ignore[import-not-found]  # noqa: PLC0415 - likewise

    if not config.get("template"):
        sys.path.remove(HERE)
    import numpy as np  # noqa: PLC0415 - imported after the limits' set-up
    import numpy.random  # noqa: PLC0415 - NumPy loads it on first use: 8 ms a worker, once a template

    return wire, seccomp, np


def run(config, wire, np, seccomp):
    """Arm (limits, no_new_privs, the drop, the keyrings, seccomp), import the submission and answer calls.

    The protocol keeps the original stdin/stdout; anything the student prints
    goes to stderr, which the grader captures and truncates.
    """
    joined = join_control_groups(config.get("cgroup_fds") or [])
    if HERE in sys.path:
        sys.path.remove(HERE)
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    os.close(devnull)
    sys.stdout.reconfigure(line_buffering=True)

    protections = (
        apply_limits(config["limits"], config.get("drop")) if config.get("limits") else {"resource_limits": False}
    )
    protections["control_group_joined"] = joined
    protections["no_new_privs"] = forbid_new_privileges()
    protections.update(drop_privileges(config.get("drop"), config.get("unreadable", [])))
    # The sandbox uid's own keyrings only: without a drop they would be the grader's user's.
    protections["keyrings_cleared"] = seccomp.clear_keyrings() if config.get("drop") else None
    protections.update(restrict_system_calls(seccomp, config.get("seccomp", True)))
    AVAILABLE[:] = config.get("available", [])
    workdir = config["workdir"]
    os.chdir(workdir)
    sys.path.insert(0, workdir)
    # Reported before any student code runs: once it has run, it could rewrite
    # anything this process would say about itself.
    shared = SharedMemory(config.get("shared_fd"))
    wire.write_message(replies, {"stage": "armed", "protections": protections, "shared": shared.usable})
    # The generator's own methods, taken before the student can replace
    # np.random.seed or np.random.get_state with something that lies.
    generator = {"seed": np.random.seed, "get_state": np.random.get_state, "ndarray": np.ndarray}
    # Likewise what says whether a result is one of its inputs: replacing wire.shared_with
    # (or NumPy's may_share_memory) after the import changes nothing this worker reports.
    generator["shared_with"] = functools.partial(wire.shared_with, overlap=np.may_share_memory)
    # A fixed start, so that what an unseeded check sees (and says) is the same in
    # every grading of the same file; an uncommon seed, so no student's own reseed
    # looks like it.
    generator["seed"](UNSEEDED_START)

    try:
        module = import_submission(config["submission"], config["module"])
    except BaseException as error:  # noqa: BLE001 - SystemExit and the like are student errors too
        flush_output()
        wire.write_message(replies, {"ready": False, "error": describe(error, config["submission"], wire)})
        return
    flush_output()
    wire.write_message(replies, {"ready": True})
    serve(module, requests, replies, wire, generator, config["submission"], shared)


class SharedMemory:
    """The grader's memory for array arguments (a file descriptor it passed down), mapped per call."""

    def __init__(self, fd):
        self.fd = fd
        try:
            self.usable = fd is not None and os.fstat(fd).st_size >= 0
        except OSError:
            self.usable = False

    def map(self, size):
        return mmap.mmap(self.fd, int(size)) if self.usable else None


def serve(module, requests, replies, wire, generator, path, shared):
    """Answer requests until the grader closes the pipe.

    Every request has the same fields (function, args, kwargs, seed, shared);
    nothing tells one call from another, or a step of a chain from a lone call.
    """
    while True:
        try:
            header, arrays = wire.read_message(requests, max_bytes=1 << 31)
        except EOFError:
            return
        try:
            # Arguments of no bytes at all (empty arrays) map nothing: an empty buffer holds them.
            memory = shared.map(header["shared"]) if header["shared"] else bytearray() if shared.usable else None
            args = [wire.decode(spec, arrays, shared=memory) for spec in header["args"]]
            kwargs = {str(name): wire.decode(spec, arrays, shared=memory) for name, spec in header["kwargs"].items()}
        except Exception as error:  # noqa: BLE001 - reported to the grader, which ends this worker
            reply = {"ok": False, "error": {"type": "request", "message": f"{type(error).__name__}: {error}"[:300]}}
            wire.write_message(replies, reply)
            continue
        function = getattr(module, header["function"], None)
        if not callable(function):
            reply, blobs = (
                {"ok": False, "error": {"type": "missing", "message": f"{header['function']} is not defined"}},
                [],
            )
        else:
            reply, blobs = call(function, header, args, kwargs, generator, wire, path, sent_back=not shared.usable)
        del args, kwargs, memory  # the student's code may keep views of the shared memory; this worker does not
        flush_output()
        try:
            wire.write_message(replies, reply, blobs)
        except Exception as error:  # noqa: BLE001 - a reply the wire cannot carry is the student's error
            wire.write_message(
                replies,
                {"ok": False, "error": {"type": type(error).__name__, "message": "the result could not be sent back"}},
            )


def call(function, header, args, kwargs, generator, wire, path, sent_back):
    """Run one request: seed if asked, call, and report the result and the generator's use.

    ``sent_back``: where the grader has no shared memory to look at the arguments
    itself, they are sent back after every call (their state is then the worker's word).
    """
    if header["seed"] is not None:
        generator["seed"](header["seed"])
    before = generator["get_state"]()
    blobs = []
    try:
        result = function(*args, **kwargs)
        reply = {"ok": True, "result": wire.encode(result, blobs)}
    except BaseException as error:  # noqa: BLE001 - sys.exit() in student code is a failed call
        return {"ok": False, "error": describe(error, path, wire)}, []
    after = generator["get_state"]()
    reply["rng_used"] = not (before[2] == after[2] and before[1].tobytes() == after[1].tobytes())
    reply["aliases"] = generator["shared_with"](result, args, kwargs)
    if sent_back:
        reply["args_after"] = [wire.encode(arg, blobs) for arg in args]
        reply["kwargs_after"] = {name: wire.encode(value, blobs) for name, value in kwargs.items()}
    else:
        # The shared memory shows the grader what became of array arguments, not of lists.
        reply["lists_after"] = {
            str(key): wire.encode(value, blobs)
            for key, value in [*enumerate(args), *kwargs.items()]
            if isinstance(value, list)
        }
    return reply, blobs


def import_submission(path, name):
    """Import the student's file as module ``name`` without running its __main__ block."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def describe(error, path, wire):
    """The error as the student should see it: type, message, and their own lines only."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if os.path.basename(frame.filename) == os.path.basename(path)
    ]
    where = [{"line": frame.lineno, "function": frame.name, "code": (frame.line or "")[:200]} for frame in frames[-5:]]
    if isinstance(error, SyntaxError):
        where.append({"line": error.lineno, "function": "<module>", "code": (error.text or "").strip()[:200]})
    try:
        message = str(error.msg if isinstance(error, SyntaxError) else error)
        if isinstance(error, SystemExit):
            message = f"the code called sys.exit({error.code!r})"[:500]
        elif isinstance(error, ModuleNotFoundError) and _third_party(error.name):
            offered = ", ".join(["the Python standard library", *AVAILABLE])
            message = f"No module named '{error.name}': the grader offers only {offered}"
    except BaseException:  # noqa: BLE001 - an exception whose str() fails is still the student's error
        message = "(its message could not be turned into text)"
    try:
        kinds = wire.error_kinds(error)
    except BaseException:  # noqa: BLE001 - a class with a strange MRO is still the student's error
        kinds = []
    return {"type": str(type(error).__name__)[:80], "kinds": kinds, "message": message[:500], "where": where}


def _third_party(name):
    top = str(name or "").partition(".")[0]
    return bool(top) and top not in sys.stdlib_module_names and top not in AVAILABLE


def move_imports(moved):
    """Import the standard library from the copies the sandbox user may read (no namespace).

    ``moved`` pairs folders with their copies; the import path and the
    packages the interpreter already loaded at start-up are pointed at the copies.
    """
    if not moved:
        return

    def move(path):
        for old, new in moved:
            if path == old or path.startswith(old + os.sep):
                return new + path[len(old) :]
        return path

    sys.path[:] = [move(path) for path in sys.path]
    for module in list(sys.modules.values()):
        search = getattr(module, "__path__", None)
        if isinstance(search, list):
            search[:] = [move(path) for path in search]
    sys.path_importer_cache.clear()


def join_control_groups(fds):
    """Join the grading's cgroups (descriptors of their cgroup.procs the grader opened) and close them.

    First, before any limit or import: every process started from here on is
    born in the groups, and with the descriptors closed no student code can
    move itself out. True if every group was joined (None: there are none).
    """
    if not fds:
        return None
    joined = True
    for fd in fds:
        try:
            os.write(fd, b"0")  # 0: the writing process itself
        except OSError:
            joined = False
        finally:
            os.close(fd)
    return joined


def forbid_new_privileges():
    """Set no_new_privs (Linux): no program student code starts gains privileges (setuid su, pkexec)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes  # noqa: PLC0415 - only where prctl exists

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_no_new_privs = 38
        libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0)
        with open("/proc/self/status", "rb") as status:
            return any(line.split() == [b"NoNewPrivs:", b"1"] for line in status)
    except (OSError, AttributeError, ImportError):
        return False


def restrict_system_calls(seccomp, wanted):
    """Install the seccomp filter (``seccomp.py``) last, once nothing of the arming needs the calls it refuses."""
    installed, why = seccomp.install() if wanted else (False, "turned off by AUTOGRADER_SECCOMP=0")
    return {"seccomp": installed, "seccomp_refused": why}


def flush_output():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a student may have replaced or closed the stream
            pass


def apply_limits(limits, drop):
    """Cap memory, CPU time, file size, open files and processes (POSIX only)."""
    try:
        import resource  # noqa: PLC0415 - absent on Windows
    except ImportError:
        return {"resource_limits": False}
    caps = {
        "RLIMIT_AS": limits["memory_mb"] << 20,
        "RLIMIT_CPU": limits["cpu_seconds"],
        "RLIMIT_FSIZE": limits["file_mb"] << 20,
        "RLIMIT_NOFILE": 256,
        "RLIMIT_CORE": 0,
    }
    if hasattr(resource, "RLIMIT_NPROC"):
        # Counted per user: the sandbox user owns nothing else; otherwise leave
        # room for the processes the user already has.
        caps["RLIMIT_NPROC"] = limits["processes"] + (0 if drop else count_own_processes())
    applied = {}
    for name, value in caps.items():
        key = getattr(resource, name, None)
        if key is None:
            continue
        try:
            _, hard = resource.getrlimit(key)
            cap = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(key, (cap, cap))
            applied[name] = cap
        except (ValueError, OSError):
            applied[name] = None
    return {"resource_limits": all(v is not None for v in applied.values()), "limits": applied}


def count_own_processes():
    try:
        uid = os.getuid()
        return sum(1 for pid in os.listdir("/proc") if pid.isdigit() and _owner(pid) == uid)
    except OSError:
        return 4096


def _owner(pid):
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


def drop_privileges(drop, unreadable):
    """Become the unprivileged sandbox user; then check the hidden files are out of reach."""
    if drop:
        os.setgroups([])
        os.setgid(drop["gid"])
        os.setuid(drop["uid"])
    readable = [path for path in unreadable if os.access(path, os.R_OK)]
    return {"privileges_dropped": bool(drop) and os.getuid() == drop["uid"] != 0, "hidden_files_readable": readable}


if __name__ == "__main__":
    main()
