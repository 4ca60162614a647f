"""Figures drawn with a submission's own functions, from the file each assignment declares.

``command.py`` is ``python -m autograder figures``; ``declared.py`` imports an
assignment's figures file (course.toml: ``figures = ...``); ``tools.py`` is
what such a file draws with (calls that skip a figure instead of failing,
saving, the contract it follows); ``images.py`` loads pictures;
``readme_images.py`` redraws the pictures of an assignment's README.
"""
