"""``python -m autograder``: see ``autograder.cli``."""

import gc
import sys

# Start-up loads several hundred thousand long-lived objects (NumPy, pytest and
# the commands' modules) and no garbage worth collecting, yet the collector
# would scan them again and again. It stays off while they load; they are then
# frozen out of its sight, so later collections look at new objects only.
gc.disable()
if sys.argv[1:2] == ["grade"]:
    # The warm template (sandbox/warm.py) imports NumPy in a process of its own while
    # this one imports pytest and collects the suites: the two cores share the start.
    from autograder.sandbox import start_early

    start_early()
from autograder.cli import main  # noqa: E402 - imported with the collector off, on purpose

gc.freeze()
gc.enable()
sys.exit(main())
