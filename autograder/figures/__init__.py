"""Pictures of the forward process drawn with a submission's own functions.

``command.py`` is ``python -m autograder figures``; ``dial.py`` calls the
student's functions (through the grading path's isolated worker); ``draw.py``
draws the strip, the animation, the schedule and the histograms; ``images.py``
loads pictures; ``readme_images.py`` redraws the README's pictures.
"""
