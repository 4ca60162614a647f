"""Run ``python -m MODULE ARGS`` in this process and record its peak memory and its children's.

    python benchmarks/peak_rss.py OUT.json -m MODULE [ARGS...]

OUT.json gets ``{"self_kb": ..., "children_kb": ..., "exit": ...}``: the peak
resident set of this process (the command itself, e.g. the grader) and the
largest peak of the child processes it waited for (the grader's worker, or
nbgrader's kernel). Linux reports ``ru_maxrss`` in KiB.
"""

import json
import os
import resource
import runpy
import sys


def main() -> int:
    out, flag, module, *args = sys.argv[1:]
    if flag != "-m":
        raise SystemExit("usage: peak_rss.py OUT.json -m MODULE [ARGS...]")
    sys.argv = [module, *args]
    sys.path[0] = os.getcwd()  # what ``python -m`` puts first
    code = 0
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    usage = {
        "self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        "exit": code,
    }
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(usage, handle)
    return code


if __name__ == "__main__":
    sys.exit(main())
