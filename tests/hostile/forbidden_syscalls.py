"""At import, tries every kernel call the worker's seccomp filter refuses (keyrings, io_uring, bpf,
perf_event_open, userfaultfd, ptrace, process_vm_*, kexec, modules, the mount calls, setns,
unshare and clone asking for a new user namespace, clone3), each with arguments that would not
fail with EPERM without the filter, then what honest code does (fork, a thread, subprocess,
posix_spawn, unshare(CLONE_FS)), and prints what the kernel answered.

Clean twin: the reference solution."""

import numpy as np


def cosine_schedule(T=1000):
    return np.cos(np.linspace(0.0, 1.0, T + 1) * np.pi / 2) ** 2


def add_noise(x0, alpha_bar_t):
    eps = np.random.randn(*x0.shape)
    a = _per_sample(alpha_bar_t, x0.ndim)
    return np.sqrt(a) * x0 + np.sqrt(1 - a) * eps, eps


def betas_from_alpha_bar(alpha_bar):
    alpha_bar = np.asarray(alpha_bar, dtype=np.float64)
    return 1 - alpha_bar[1:] / alpha_bar[:-1]


def noise_step(x_prev, beta_t):
    eps = np.random.randn(*x_prev.shape)
    b = _per_sample(beta_t, x_prev.ndim)
    return np.sqrt(1 - b) * x_prev + np.sqrt(b) * eps, eps


def remove_noise(xt, eps, alpha_bar_t):
    a = _per_sample(alpha_bar_t, xt.ndim)
    return (xt - np.sqrt(1 - a) * eps) / np.sqrt(a)


def _per_sample(level, ndim):
    level = np.asarray(level, dtype=np.float64)
    return level if level.ndim == 0 else level.reshape(level.shape + (1,) * (ndim - 1))



import ctypes  # noqa: E402
import errno  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import socket  # noqa: E402
import threading  # noqa: E402

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_X86 = os.uname().machine == "x86_64"
NUMBERS = {  # (x86-64, AArch64)
    "add_key": (248, 217), "request_key": (249, 218), "keyctl": (250, 219),
    "io_uring_setup": (425, 425), "io_uring_enter": (426, 426), "io_uring_register": (427, 427),
    "bpf": (321, 280), "perf_event_open": (298, 241), "userfaultfd": (323, 282), "ptrace": (101, 117),
    "process_vm_readv": (310, 270), "process_vm_writev": (311, 271),
    "kexec_load": (246, 104), "kexec_file_load": (320, 294),
    "init_module": (175, 105), "finit_module": (313, 273), "delete_module": (176, 106),
    "mount": (165, 40), "umount2": (166, 39), "pivot_root": (155, 41), "setns": (308, 268),
    "open_tree": (428, 428), "fsopen": (430, 430), "fspick": (433, 433),
    "unshare": (272, 97), "clone": (56, 220), "clone3": (435, 435), "memfd_create": (319, 279),
    "mq_open": (240, 180),
}
NOWHERE = b"/hostile-no-such-folder"
CLONE_NEWUSER, CLONE_FS, SIGCHLD = 0x10000000, 0x200, 17
# Arguments that succeed or fail with another errno when nothing filters the call.
CALLS = {
    "add_key": (b"user", b"hostile-probe", b"x", 1, -2),
    "request_key": (b"user", b"hostile-none", None, 0),
    "keyctl": (0, -4, 0),
    "io_uring_setup": (1, None),
    "io_uring_enter": (-1, 0, 0, 0, None, 0),
    "io_uring_register": (-1, 0, None, 0),
    "bpf": (5, None, 1),
    "perf_event_open": (None, 0, -1, -1, 0),
    "userfaultfd": (1,),
    "ptrace": (7, os.getpid(), 0, 0),
    "process_vm_readv": (os.getpid(), None, 0, None, 0, 0),
    "process_vm_writev": (os.getpid(), None, 0, None, 0, 0),
    "kexec_load": (0, 0, None, 0),
    "kexec_file_load": (-1, -1, 0, None, 0),
    "init_module": (None, 0, b""),
    "finit_module": (-1, b"", 0),
    "delete_module": (b"hostile-none", 0),
    "mount": (b"none", NOWHERE, b"tmpfs", 0, None),
    "umount2": (NOWHERE, 0),
    "pivot_root": (NOWHERE, NOWHERE),
    "setns": (-1, 0),
    "open_tree": (-100, b"/", 0),
    "fsopen": (b"tmpfs", 0),
    "fspick": (-100, b"/", 0),
    "clone3": (None, 0),
    "memfd_create": (b"hostile-hoard", 0),
    "mq_open": (b"hostile-probe", 0o102, 0o600, None),
}
# Socket families that reach beyond the worker: the machine's listeners, the kernel, the host of a VM.
FAMILIES = {"AF_INET": 2, "AF_INET6": 10, "AF_NETLINK": 16, "AF_PACKET": 17, "AF_VSOCK": 40}


def _answer(result):
    """What a call returned, as the test reads it: an errno's name, or "ok"."""
    if result >= 0:
        return "ok"
    return errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))


def _call(name, *args):
    return _libc.syscall(ctypes.c_long(NUMBERS[name][0 if _X86 else 1]), *args)


def _in_a_child(name, flags):
    """unshare or clone with ``flags`` in a child, so that a success changes nothing here."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        result = _call(name, ctypes.c_long(flags), *([ctypes.c_long(0)] * 4 if name == "clone" else []))
        if result != 0:  # in the clone's own child (0) there is nothing to report
            os.write(write, _answer(min(result, 0)).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as answer:
        return answer.read() or "ok"


_seen = {}
for _name, _args in CALLS.items():
    _result = _call(_name, *_args)
    _seen[_name] = _answer(_result)
    if _result > 0 and _name in ("userfaultfd", "open_tree", "io_uring_setup", "fsopen", "fspick", "memfd_create"):
        os.close(_result)
for _family, _number in FAMILIES.items():
    _kind = socket.SOCK_DGRAM if _family in ("AF_NETLINK", "AF_PACKET") else socket.SOCK_STREAM
    try:
        socket.socket(_number, _kind).close()
        _seen[f"socket({_family})"] = "ok"
    except OSError as error:
        _seen[f"socket({_family})"] = errno.errorcode.get(error.errno, str(error.errno))
_seen["unshare(CLONE_NEWUSER)"] = _in_a_child("unshare", CLONE_NEWUSER)
_seen["clone(CLONE_NEWUSER)"] = _in_a_child("clone", CLONE_NEWUSER | SIGCHLD)
if _X86:
    _seen["x32_getpid"] = _answer(_libc.syscall(ctypes.c_long(0x40000000 | 39)))
print("SYSCALLS " + " ".join(f"{name}={answer}" for name, answer in _seen.items()))


def _honest():
    done = {}
    pid = os.fork()
    if pid == 0:
        os._exit(7)
    done["fork"] = "ok" if os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 7 else "failed"
    box = []
    worker = threading.Thread(target=lambda: box.append(sum(range(1000))))
    worker.start()
    worker.join()
    done["thread"] = "ok" if box == [499500] else "failed"
    done["subprocess"] = "ok" if subprocess.run(["true"], check=False).returncode == 0 else "failed"
    spawned = os.posix_spawnp("true", ["true"], dict(os.environ))
    done["posix_spawn"] = "ok" if os.waitstatus_to_exitcode(os.waitpid(spawned, 0)[1]) == 0 else "failed"
    done["unshare(CLONE_FS)"] = _answer(_call("unshare", ctypes.c_long(CLONE_FS)))
    left, right = socket.socketpair(socket.AF_UNIX)
    left.sendall(b"x")
    done["socketpair(AF_UNIX)"] = "ok" if right.recv(1) == b"x" else "failed"
    left.close()
    right.close()
    socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()
    done["socket(AF_UNIX)"] = "ok"
    return done


print("ALLOWED " + " ".join(f"{name}={answer}" for name, answer in _honest().items()))
