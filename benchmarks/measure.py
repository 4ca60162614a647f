"""How the benchmark measures: wall time of whole commands, and their peak memory.

Wall time is ``time.perf_counter`` around ``subprocess.run`` of the very command
a user types, so start-up (interpreter, imports, worker or kernel) is included.
CPU time (user + system, from ``getrusage`` of the children) is recorded too:
unlike wall time it hardly changes when other work shares the machine.
Peak memory comes from separate runs under ``peak_rss.py``, which runs the same
module in its own process and reads ``getrusage`` for itself and its children.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PEAK_RSS = Path(__file__).resolve().parent / "peak_rss.py"


class CommandFailed(Exception):
    """A measured command did not do its job; the benchmark stops instead of timing a failure."""


@dataclass
class Run:
    seconds: float
    stdout: str
    cpu_seconds: float  # user + system time of the command and the children it waited for


def run(command: list[str], cwd: Path, check=None, env=None) -> Run:
    """Run a command once, timed; ``check(run)`` may raise CommandFailed."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    cpu_seconds = _children_cpu() - cpu_before
    if done.returncode != 0:
        raise CommandFailed(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    result = Run(seconds, done.stdout, cpu_seconds)
    if check is not None:
        check(result)
    return result


def peak_memory(module_args: list[str], cwd: Path, runs: int, env=None) -> dict:
    """Peak RSS in MB of ``python -m MODULE ...`` (the process) and of its children, max over runs."""
    own, children = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "rss.json"
            done = subprocess.run(
                [sys.executable, str(PEAK_RSS), str(out), *module_args],
                cwd=cwd,
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
            if done.returncode != 0 or not out.exists():
                raise CommandFailed(f"peak memory run of {module_args} failed:\n{done.stderr[-2000:]}")
            usage = json.loads(out.read_text())
        own.append(usage["self_kb"] / 1024)
        children.append(usage["children_kb"] / 1024)
    return {"process_mb": round(max(own), 1), "children_mb": round(max(children), 1), "runs": runs}


def summary(seconds: list[float]) -> dict:
    """Median and spread of a list of wall times."""
    quartiles = statistics.quantiles(seconds, n=4) if len(seconds) > 1 else [seconds[0]] * 3
    return {
        "runs": len(seconds),
        "median_s": round(statistics.median(seconds), 4),
        "min_s": round(min(seconds), 4),
        "max_s": round(max(seconds), 4),
        "iqr_s": round(quartiles[2] - quartiles[0], 4),
        "all_s": [round(s, 4) for s in seconds],
    }


def repeat(command: list[str], cwd: Path, runs: int, warmup: int = 1, check=None, env=None) -> tuple[dict, list[Run]]:
    """Time ``runs`` runs after ``warmup`` untimed ones (file caches, .pyc files)."""
    for _ in range(warmup):
        run(command, cwd, check, env)
    done = [run(command, cwd, check, env) for _ in range(runs)]
    row = summary([r.seconds for r in done])
    row["cpu_median_s"] = round(statistics.median(r.cpu_seconds for r in done), 4)
    return row, done


def _children_cpu() -> float:
    import resource  # noqa: PLC0415 - POSIX only, like the rest of the benchmark

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine() -> dict:
    """What the numbers were measured on."""
    import platform  # noqa: PLC0415 - only needed here

    info = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
    }
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            names = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
        info["cpu_model"] = names[0] if names else None
        with open("/proc/meminfo", encoding="utf-8") as meminfo:
            total = next(line for line in meminfo if line.startswith("MemTotal"))
        info["memory_gb"] = round(int(total.split()[1]) / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    if hasattr(os, "sched_getaffinity"):
        info["usable_cpus"] = len(os.sched_getaffinity(0))
    if hasattr(os, "getloadavg"):
        info["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    return info
