"""Kernel calls student code has no use for: refused by a seccomp filter, and keys cleared before it.

Runs in the worker (``worker.run``), which arms itself in this order: limits,
no_new_privs, the drop to the sandbox user, ``clear_keyrings``, ``install``,
then the submission is imported. A worker forked from the warm template makes
its namespaces and mounts (``fork_server._isolate``) before it arms, so the
filter never stands in the way of the sandbox's own set-up.

The filter (a classic BPF program, about 50 instructions, built here) returns
EPERM for: the kernel keyrings (whose keys outlive every process of a uid and
so would reach the next grading under it), io_uring, bpf, perf_event_open,
userfaultfd, ptrace and process_vm_readv/writev, kexec and module loading,
mount, umount2, pivot_root, setns and the newer mount calls, memfd_create
(memory that no address-space limit counts), mq_open (a POSIX queue outlives
its grading), unshare or clone asked for any
new namespace (a user namespace gives back every capability, inside it), and
socket or socketpair of any family but AF_UNIX: no TCP/UDP over IPv4 or IPv6
(without a network namespace, the machine's own listeners on 127.0.0.1 and
::1 would be in reach), no netlink, and no vsock, which no network namespace
covers (on a virtual machine it reaches the host). clone3 returns ENOSYS, so that the C library falls
back to clone, whose flags the filter can read (clone3 passes them in
memory, out of a filter's reach). Honest code (NumPy, threads, fork,
subprocess) makes none of these calls. A call of another ABI (32-bit ``int
0x80`` on x86-64, x32) is refused whatever it is: its numbers differ.

Only x86-64 and AArch64 have a table of numbers; elsewhere nothing is
installed and ``install`` says so, for results.json's ``not_in_force``.

This module imports only the standard library.
"""

import ctypes
import os
import struct
import sys

# System call numbers: (x86-64, AArch64), from <asm/unistd_64.h> and <asm-generic/unistd.h>.
REFUSED = {
    "add_key": (248, 217),
    "request_key": (249, 218),
    "keyctl": (250, 219),
    "io_uring_setup": (425, 425),
    "io_uring_enter": (426, 426),
    "io_uring_register": (427, 427),
    "bpf": (321, 280),
    "perf_event_open": (298, 241),
    "userfaultfd": (323, 282),
    "ptrace": (101, 117),
    "process_vm_readv": (310, 270),
    "process_vm_writev": (311, 271),
    "kexec_load": (246, 104),
    "kexec_file_load": (320, 294),
    "init_module": (175, 105),
    "finit_module": (313, 273),
    "delete_module": (176, 106),
    "mount": (165, 40),
    "umount2": (166, 39),
    "pivot_root": (155, 41),
    "setns": (308, 268),
    "open_tree": (428, 428),
    "move_mount": (429, 429),
    "fsopen": (430, 430),
    "fsconfig": (431, 431),
    "fsmount": (432, 432),
    "fspick": (433, 433),
    "mount_setattr": (442, 442),
    # Memory that no address-space limit counts (it need not be mapped); the grader makes
    # the one memfd a worker uses and passes it down.
    "memfd_create": (319, 279),
    # POSIX message queues outlive every process, and outside an IPC namespace reach the next grading.
    "mq_open": (240, 180),
}
# Refused only when their flags (first argument) ask for a new namespace.
CLONE, UNSHARE = (56, 220), (272, 97)
CLONE3 = (435, 435)
# Allowed only for AF_UNIX (first argument): no network, netlink, vsock or packet socket.
SOCKET, SOCKETPAIR = (41, 198), (53, 199)
AF_UNIX = 1
SECCOMP = (317, 277)
# uname's machine -> (column in the tables above, AUDIT_ARCH_* of <linux/audit.h>).
ARCHES = {"x86_64": (0, 0xC000003E), "aarch64": (1, 0xC00000B7)}
# On x86-64, x32 calls are the 64-bit numbers with this bit set.
X32_BIT = 0x40000000

# CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET (<linux/sched.h>).
CLONE_NEW = 0x7E020000
# CLONE_NEWTIME: unshare's only; in clone's flags that bit is part of the exit signal.
CLONE_NEWTIME = 0x80

# struct seccomp_data: the call's number, its ABI, then its arguments (the low
# half of each 64-bit argument comes first on these little-endian machines).
NR, ARCH, ARG0 = 0, 4, 16
# Classic BPF opcodes (<linux/filter.h>) and seccomp's answers (<linux/seccomp.h>).
LOAD, JEQ, JGE, JSET, RET = 0x20, 0x15, 0x35, 0x45, 0x06
ALLOW, ERRNO = 0x7FFF0000, 0x00050000
EPERM, ENOSYS = 1, 38
SET_MODE_FILTER, FILTER_FLAG_TSYNC = 1, 1

# keyctl operations and special keyrings (<linux/keyctl.h>).
KEYCTL = (250, 219)
GET_KEYRING_ID, JOIN_SESSION, CLEAR, UNLINK, GET_PERSISTENT = 0, 1, 7, 9, 22
SESSION, USER, USER_SESSION = -3, -4, -5


def machine():
    """The column of this machine in the tables and its AUDIT_ARCH, or None (unknown, or a 32-bit build)."""
    if not sys.platform.startswith("linux") or struct.calcsize("P") != 8:
        return None
    return ARCHES.get(os.uname().machine)


def program(column, audit_arch):
    """The filter as (code, jump if true, jump if false, operand); jumps name labels until resolved."""
    steps = [(LOAD, 0, 0, ARCH), (JEQ, 1, 0, audit_arch), (RET, 0, 0, ERRNO | EPERM), (LOAD, 0, 0, NR)]
    if column == 0:
        steps.append((JGE, "refuse", 0, X32_BIT))
    steps += [(JEQ, "refuse", 0, numbers[column]) for numbers in REFUSED.values()]
    steps += [
        (JEQ, "enosys", 0, CLONE3[column]),
        (JEQ, "clone", 0, CLONE[column]),
        (JEQ, "unshare", 0, UNSHARE[column]),
        (JEQ, "socket", 0, SOCKET[column]),
        (JEQ, "socket", 0, SOCKETPAIR[column]),
        (RET, 0, 0, ALLOW),
        "socket",
        (LOAD, 0, 0, ARG0),
        (JEQ, 0, "refuse", AF_UNIX),
        (RET, 0, 0, ALLOW),
        "clone",
        (LOAD, 0, 0, ARG0),
        (JSET, "refuse", 0, CLONE_NEW),
        (RET, 0, 0, ALLOW),
        "unshare",
        (LOAD, 0, 0, ARG0),
        (JSET, "refuse", 0, CLONE_NEW | CLONE_NEWTIME),
        (RET, 0, 0, ALLOW),
        "refuse",
        (RET, 0, 0, ERRNO | EPERM),
        "enosys",
        (RET, 0, 0, ERRNO | ENOSYS),
    ]
    return _resolved(steps)


def _resolved(steps):
    """Labels turned into the offsets BPF jumps take, counted on from the next instruction."""
    at, code = {}, []
    for step in steps:
        if isinstance(step, str):
            at[step] = len(code)
        else:
            code.append(step)
    return [
        (op, *(at[jump] - index - 1 if isinstance(jump, str) else jump for jump in (true, false)), k)
        for index, (op, true, false, k) in enumerate(code)
    ]


def install():
    """Install the filter on every thread of this process; returns (True, "") or (False, why not)."""
    found = machine()
    if found is None:
        kind = os.uname().machine if hasattr(os, "uname") else "?"
        return False, f"no filter for this machine ({sys.platform}, {kind}, {8 * struct.calcsize('P')}-bit)"
    column, audit_arch = found
    code = program(column, audit_arch)
    instructions = ctypes.create_string_buffer(b"".join(struct.pack("=HBBI", *step) for step in code))

    class Program(ctypes.Structure):
        _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))

    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    prog = Program(len(code), ctypes.addressof(instructions))
    # TSYNC: the filter holds for every thread, not just this one; it needs no_new_privs (set before).
    done = libc.syscall(
        ctypes.c_long(SECCOMP[column]),
        ctypes.c_long(SET_MODE_FILTER),
        ctypes.c_long(FILTER_FLAG_TSYNC),
        ctypes.byref(prog),
    )
    if done != 0:
        return False, f"the kernel refused it ({os.strerror(ctypes.get_errno()) if done < 0 else 'a thread'})"
    return True, ""


def clear_keyrings():
    """Empty the keyrings this uid keeps in the kernel beyond its processes; True if all are empty,
    None where the system has no kernel keyrings (not Linux).

    The user, user-session and persistent keyrings belong to the uid, not to
    a process: what an earlier grading under this uid stored there would
    still be readable. A new session keyring of its own first, so that none
    inherited from the grader or the template is this worker's to read.
    """
    if not sys.platform.startswith("linux"):
        return None
    found = machine()
    if found is None:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long

    def keyctl(*args):
        return libc.syscall(ctypes.c_long(KEYCTL[found[0]]), *(ctypes.c_long(a) for a in args))

    cleared = keyctl(JOIN_SESSION, 0) >= 0
    cleared = keyctl(CLEAR, USER) == 0 and cleared
    cleared = keyctl(CLEAR, USER_SESSION) == 0 and cleared
    persistent = keyctl(GET_PERSISTENT, -1, SESSION)
    if persistent >= 0:
        cleared = keyctl(CLEAR, persistent) == 0 and cleared
        keyctl(UNLINK, persistent, SESSION)
    elif ctypes.get_errno() not in (ENOSYS, 95):  # EOPNOTSUPP: a kernel without persistent keyrings
        cleared = False
    return cleared
