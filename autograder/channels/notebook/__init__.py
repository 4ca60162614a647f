"""The nbgrader channel: a notebook of an assignment, built from its reference and its suites.

``build.build_notebook`` composes small preprocessors (``preprocessors.py``),
each adding one kind of cell; ``course_folder.py`` lays out an nbgrader course
around the notebook; ``hidden.py`` runs the hidden suites' checks inside the
notebook's kernel when nbgrader autogrades it.
"""
