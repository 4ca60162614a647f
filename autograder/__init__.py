"""The grading engine of the diffusion-models course.

Start at ``grade.py``: it walks one submission from its file to results.json.
"""

__version__ = "0.1.0"
