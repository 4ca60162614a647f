"""The worker's seccomp filter, built and installed in a child of the test process."""

from __future__ import annotations

import ctypes
import os
import threading

import pytest

from autograder.sandbox import seccomp

KNOWN = pytest.mark.skipif(seccomp.machine() is None, reason="a filter exists for x86-64 and AArch64 Linux only")


@pytest.mark.parametrize("machine", list(seccomp.ARCHES))
def test_every_jump_of_the_filter_lands_inside_it(machine):
    """each jump of each machine's program lands on a later instruction, and the program ends in a return."""
    code = seccomp.program(*seccomp.ARCHES[machine])
    assert len(code) < 64
    for index, (op, true, false, _) in enumerate(code):
        assert 0 <= true < 256 and 0 <= false < 256
        assert index + 1 + max(true, false) < len(code) or op == seccomp.RET
    assert code[-1][0] == seccomp.RET


def test_an_unknown_machine_gets_no_filter_and_says_why(monkeypatch):
    """on a machine without a table of numbers nothing is installed, and the reason names the machine."""
    monkeypatch.setattr(seccomp.os, "uname", lambda: os.uname_result(("Linux", "h", "r", "v", "riscv64")))
    monkeypatch.setattr(seccomp.sys, "platform", "linux")
    installed, why = seccomp.install()
    assert installed is False and "riscv64" in why


def in_a_filtered_child(probe) -> int:
    """Exit status of a child that sets no_new_privs, installs the filter and runs ``probe()`` (its exit code)."""
    pid = os.fork()
    if pid == 0:
        code = 99
        try:
            ctypes.CDLL(None, use_errno=True).prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
            code = probe() if seccomp.install() == (True, "") else 98
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def errno_of(name, *args) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    column = seccomp.machine()[0]
    number = seccomp.REFUSED[name] if name in seccomp.REFUSED else getattr(seccomp, name.upper())
    result = libc.syscall(ctypes.c_long(number[column]), *(ctypes.c_long(a) for a in args))
    return ctypes.get_errno() if result < 0 else 0


@KNOWN
def test_refused_calls_fail_with_eperm_and_clone3_with_enosys():
    """in a filtered process keyctl, unshare(CLONE_NEWUSER) and clone(CLONE_NEWUSER) get EPERM, clone3 ENOSYS."""

    def probe():
        answers = [
            errno_of("keyctl", 0, -4, 0),
            errno_of("unshare", 0x10000000),
            errno_of("clone", 0x10000000 | 17, 0, 0, 0, 0),
            errno_of("clone3", 0, 0),
        ]
        return 0 if answers == [1, 1, 1, 38] else 1

    assert in_a_filtered_child(probe) == 0


@KNOWN
def test_a_filtered_process_still_forks_and_runs_threads():
    """fork, a thread and unshare without a namespace flag work under the filter."""

    def probe():
        child = os.fork()
        if child == 0:
            os._exit(5)
        forked = os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) == 5
        box = []
        thread = threading.Thread(target=lambda: box.append(1))
        thread.start()
        thread.join()
        return 0 if forked and box == [1] and errno_of("unshare", 0x200) == 0 else 1

    assert in_a_filtered_child(probe) == 0


@KNOWN
def test_sockets_of_every_family_but_unix_and_memfds_are_refused():
    """under the filter socket(AF_INET, AF_INET6, AF_NETLINK, AF_VSOCK) and memfd_create get EPERM;
    an AF_UNIX socketpair still carries data."""
    import socket  # noqa: PLC0415

    def probe():
        refused = []
        for family, kind in ((2, 1), (10, 1), (16, 2), (40, 1)):
            try:
                socket.socket(family, kind).close()
            except PermissionError:
                refused.append(family)
        try:
            os.close(os.memfd_create("hoard"))
        except PermissionError:
            refused.append("memfd")
        left, right = socket.socketpair(socket.AF_UNIX)
        left.sendall(b"x")
        paired = right.recv(1) == b"x"
        return 0 if refused == [2, 10, 16, 40, "memfd"] and paired else 1

    assert in_a_filtered_child(probe) == 0
