"""``python -m autograder``: see ``autograder.cli``."""

import gc
import sys

# Start-up loads several hundred thousand long-lived objects (NumPy, pytest and
# the commands' modules) and no garbage worth collecting, yet the collector
# would scan them again and again. It stays off while they load; they are then
# frozen out of its sight, so later collections look at new objects only.
gc.disable()
from autograder.cli import main  # noqa: E402 - imported with the collector off, on purpose

gc.freeze()
gc.enable()
sys.exit(main())
