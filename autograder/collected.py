"""The suites of one assignment, collected once, run against one submission after another.

Collecting the suites (importing them, building pytest's items) is the same
work for every submission. A grading process (``grade-all``'s pool, ``watch``,
the tests) keeps one ``CollectedSuites`` per set of suites and runs the same
items for each new submission, so only the checks themselves run again.

pytest stays the runner: ``pytest.main`` runs in a thread of its own, and this
plugin's ``pytest_runtestloop`` waits there for submissions and runs every item
through pytest's own ``pytest_runtest_protocol``, as pytest-rerunfailures does
for a rerun. The last item of each pass has no next item, so pytest tears every
fixture down, session-scoped ones included: nothing of one submission is left
for the next. pytest prints nothing (no terminal reporter, no capture plugin), so the
thread never touches the caller's output.
"""

from __future__ import annotations

import builtins
import os
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from autograder import plugin as plugin_module

# Pytest plugins grading has no use for. Installed third-party plugins are not
# loaded at all: they cost start-up time and could change how the suites run.
# The two exception hooks force a full garbage collection at the end of every
# session, and no student code runs in this process for them to catch. Checks
# print nothing (student output arrives through the worker): the capture plugin
# would only wrap every check's set-up, call and tear-down in capturing nothing,
# and the two set-up plugins look at every fixture for options never given.
UNUSED_PLUGINS = [
    "-p",
    "no:capture",
    "-p",
    "no:setuponly",
    "-p",
    "no:setupplan",
    "-p",
    "no:unraisableexception",
    "-p",
    "no:threadexception",
    "-p",
    "no:doctest",
    "-p",
    "no:junitxml",
    "-p",
    "no:pastebin",
    "-p",
    "no:legacypath",
    "-p",
    "no:logging",
    "-p",
    "no:terminal",
    "-p",
    "no:faulthandler",
    "-p",
    "no:cacheprovider",
    "-p",
    "no:warnings",
    "-p",
    "no:stepwise",
]
if pytest.version_tuple >= (8, 4):
    UNUSED_PLUGINS.append("--disable-plugin-autoload")


# Groups of skips are pytest's to report (Python 3.11 and later have exception groups).
EXCEPTION_GROUPS = getattr(builtins, "BaseExceptionGroup", ())


class SuitesBroken(Exception):
    """The suites could not be collected: the instructor's problem, never the student's."""


@dataclass
class _Pass:
    plugin: plugin_module.GradingPlugin
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class CollectedSuites:
    """``run(plugin)`` runs every check of ``paths`` once, with ``plugin`` collecting the results."""

    def __init__(self, paths: list[Path]):
        self.paths = list(paths)
        self.items: list[pytest.Item] | None = None
        self.errors: list[str] = []
        self.exit_code: int | None = None
        self._passes: queue.Queue[_Pass | None] = queue.Queue()  # None: stop serving
        self._counts: dict[tuple[Path, ...], dict[Path, int]] = {}
        self._collected = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="grading-suites", daemon=True)
        self._thread.start()
        self._collected.wait()
        if not self.items:
            self.close()
            found = "\n".join(self.errors)[-3000:] or "no checks were collected"
            raise SuitesBroken(f"the grading suites did not run (pytest exit {self.exit_code}):\n{found}")

    def checks_in(self, paths: list[Path]) -> dict[Path, int]:
        """How many of the collected checks each of ``paths`` (a file or a folder) holds; counted once."""
        key = tuple(paths)
        if key not in self._counts:
            files = [Path(item.path) for item in self.items or ()]
            self._counts[key] = {
                path: sum(1 for file in files if file == path or path in file.parents) for path in paths
            }
        return self._counts[key]

    def run(self, plugin: plugin_module.GradingPlugin) -> None:
        """Run every check with ``plugin`` registered; returns when the last one is torn down."""
        if not self._thread.is_alive():
            raise SuitesBroken("the grading suites' thread has ended")
        work = _Pass(plugin)
        self._passes.put(work)
        work.done.wait()
        if work.error is not None:
            raise work.error

    def close(self) -> None:
        self._passes.put(None)
        self._thread.join(timeout=30)

    # -- the pytest thread ------------------------------------------------------------
    def _serve(self) -> None:
        args = [str(p) for p in self.paths] + [
            "-c",
            os.devnull,  # ignore any project or student pytest config
            "--rootdir",
            str(self.paths[0].parent),
            "--noconftest",  # the fixtures come from the plugin, not the folder
            "--import-mode=importlib",  # never put a submission's folder on sys.path
            "--assert=plain",  # feedback is the check's message, not its source
            *UNUSED_PLUGINS,
        ]
        try:
            self.exit_code = int(pytest.main(args, plugins=[plugin_module, self]))
        except BaseException as error:  # noqa: BLE001 - reported to every caller as a broken suite
            self.errors.append(f"{type(error).__name__}: {error}")
        finally:
            self._collected.set()
            self._fail_waiting()

    def _fail_waiting(self) -> None:
        while True:
            try:
                work = self._passes.get_nowait()
            except queue.Empty:
                return
            if work is not None:
                work.error = SuitesBroken("the grading suites' thread has ended")
                work.done.set()

    def pytest_configure(self, config: pytest.Config) -> None:
        for line in plugin_module.MARKERS:
            config.addinivalue_line("markers", line)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors.append(f"{report.nodeid or 'collection'}: {report.longreprtext[-2000:]}")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport | None:
        """pytest's report of a passed or failed phase, without the formatted traceback.

        Feedback is the check's own message (``plugin.feedback_for``), never the
        traceback, and formatting one with its source lines for every failed
        check took longer than the check: about 8 ms each, most of the time a
        stub's grading took. Skips keep pytest's own report (returning None).
        """
        excinfo = call.excinfo
        if call.when == "collect":  # pytest makes collection reports elsewhere; never the case here
            return None
        if excinfo is not None and (
            not isinstance(excinfo, pytest.ExceptionInfo)
            or isinstance(excinfo.value, (pytest.skip.Exception, EXCEPTION_GROUPS))
        ):
            return None
        return pytest.TestReport(
            item.nodeid,
            item.location,
            {},
            "passed" if excinfo is None else "failed",
            None if excinfo is None else excinfo.exconly()[:2000],
            call.when,
            (),
            call.duration,
            call.start,
            call.stop,
            user_properties=item.user_properties,
        )

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        self.items = [] if self.errors else list(session.items)
        self._collected.set()
        if not self.items:
            return True
        while (work := self._passes.get()) is not None:
            manager = session.config.pluginmanager
            manager.register(work.plugin)
            try:
                work.plugin.start(session.config)
                # NumPy's error state is per thread: the checks compare wrong (even
                # non-finite) answers on purpose, and say so in their own words.
                quiet = np.errstate(all="ignore")
                with quiet:
                    for index, item in enumerate(self.items):
                        following = self.items[index + 1] if index + 1 < len(self.items) else None
                        item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
            except BaseException as error:  # noqa: BLE001 - handed to the caller, who decides
                work.error = error
            finally:
                manager.unregister(work.plugin)
                work.done.set()
        return True


_CACHE: dict[tuple[tuple[str, ...], str], CollectedSuites] = {}


def collected(paths: list[Path], fingerprint: str) -> CollectedSuites:
    """This process's collection of ``paths``, made on first use (``fingerprint``: the suites' hash)."""
    key = (tuple(str(p) for p in paths), fingerprint)
    suites = _CACHE.get(key)
    if suites is None or not suites._thread.is_alive():
        for old in [k for k in _CACHE if k[0] == key[0]]:
            _CACHE.pop(old).close()  # the suites changed on disk: collect them again
        suites = _CACHE[key] = CollectedSuites(paths)
    return suites
