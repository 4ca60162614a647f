"""Raises an error holding a lone surrogate while being imported.

Clean twin: an empty submission (0 points, the reason on the first line).
"""

raise ImportError("lone \ud800 surrogate")
