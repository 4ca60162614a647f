"""The text of the files the student repository gets, filled in by ``steps``.

``string.Template`` placeholders (``$name``); a literal dollar sign, as in Make's
``$(PY)`` or a workflow's ``${{ }}``, is written ``$$``.
"""

from string import Template

MAKEFILE = Template("""\
# Your commands for this course (`make help` lists them). Every target sets up
# .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY ?= $$(VENV)/bin/python
# What the targets need first; `make check SETUP=` skips it when PY is ready.
SETUP ?= $$(VENV)/.installed

ASSIGNMENT ?= $assignment
SUBMISSION ?= assignments/$$(ASSIGNMENT)
TASK ?=
IMAGE ?=
RESET ?=

.PHONY: help check grade hint figures watch clean
.DEFAULT_GOAL := help

# The oldest Python the project runs on: pyproject.toml's requires-python.
MIN_PYTHON := $$(shell sed -n 's/^requires-python *= *">= *\\([0-9.]*\\)".*/\\1/p' pyproject.toml)
# Shell: succeeds when the Python $$(1) names is older than MIN_PYTHON or does not run; $$$$v says which.
python_too_old = v=$$$$($$(1) -c 'import sys; print("%d %d" % sys.version_info[:2])' 2>/dev/null); \\
\tif [ -z "$$$$v" ]; then v="a Python that does not run"; else set -- $$$$v $$(subst ., ,$$(MIN_PYTHON)); \\
\tv="Python $$$$1.$$$$2"; [ "$$$$1" -lt "$$$$3" ] || { [ "$$$$1" -eq "$$$$3" ] && [ "$$$$2" -lt "$$$$4" ]; }; fi

# A .venv of an unsupported Python (an older PYTHON=, or one that no longer runs) is made again;
# a PYTHON too old to make one is refused before anything is written.
$$(VENV)/.installed: pyproject.toml requirements.lock
\t@if $$(call python_too_old,$$(PYTHON)); then \\
\t\techo "make: PYTHON=$$(PYTHON) is $$$$v; the project needs Python $$(MIN_PYTHON) or newer:" \\
\t\t\t"install one and run make $$(or $$(MAKECMDGOALS),help) PYTHON=python3.X with it" >&2; \\
\t\texit 2; fi
\t@if [ -e $$(VENV) ] && $$(call python_too_old,$$(PY)); then \\
\t\techo "make: $$(VENV) holds $$$$v, which the project cannot use (it needs $$(MIN_PYTHON) or newer);" \\
\t\t\t"making it again with $$(PYTHON)"; \\
\t\trm -rf $$(VENV); fi
\t$$(PYTHON) -m venv $$(VENV)
\t$$(PY) -m pip install --quiet --upgrade pip
\t$$(PY) -m pip install --quiet -c requirements.lock -e .
\t@# Bytecode of the grader, as pip writes for an installed package: every grading starts cold.
\t@$$(PY) -m compileall -q --invalidation-mode checked-hash autograder >/dev/null
\ttouch $$@

help:  ## this list of commands
\t@awk -F ':.*## ' '/^[a-z-]+:.*## /{printf "  make %-9s %s\\n", $$$$1, $$$$2}' $$(MAKEFILE_LIST)

grade: $$(SETUP)  ## your score and feedback on the public checks, from the course's grader
\t$$(PY) -m autograder grade $$(ASSIGNMENT) --submission $$(SUBMISSION) --suites public --results build/results.json

check: $$(SETUP)  ## the public checks alone on your working copy, in seconds (plain pytest)
\t$$(PY) -m pytest -q --tb=short -p no:cacheprovider assignments/$$(ASSIGNMENT)

hint: $$(SETUP)  ## the next hint for a task: make hint TASK=$example_task (RESET=1 starts over)
\t$$(PY) -m autograder hint $$(ASSIGNMENT) $$(TASK) $$(if $$(RESET),--reset)

figures: $$(SETUP)  ## the assignment's figures, drawn with your own functions (IMAGE=photo.jpg for yours)
\t$$(PY) -m autograder figures $$(ASSIGNMENT) --submission $$(SUBMISSION) $$(if $$(IMAGE),--image $$(IMAGE))

watch: $$(SETUP)  ## regrade your working copy every time you save it (Ctrl-C stops)
\t$$(PY) -m autograder watch $$(ASSIGNMENT) --submission $$(SUBMISSION)

clean:  ## remove build/ and .venv/
\trm -rf build $$(VENV)
""")


README = Template("""\
# $title

Exercises for the course, with the tests and the grader you will be scored by.

## Getting started

You need Python 3.10 or newer and `make`. Everything else is installed into
`.venv` the first time you run a command.

    make check                         # the public checks on your code, in seconds
    make grade                         # your score on the public checks, with feedback
    $hint_command# the next hint for a task, gentle first
    $hint_reset_command# start that task's hints over
    make figures                       # the assignment's figures, drawn with your code
    make help                          # every command

## Assignments

$assignments
Each assignment folder has its own README with the instructions. Edit only the
file it names; the tests and the grader import it from there.

## How you are graded

`make grade` runs the same grader the course uses, on the public checks only:
a table of points per function and, for each failed check, what was measured
and, when your result matches a known mistake, which one. `make check` runs
the same checks with plain pytest, faster and with Python's tracebacks.
Every time you push, GitHub runs the same public grading
(`.github/workflows/classroom.yml`) and shows the points in the Actions tab;
with GitHub Classroom, those are the points your instructor sees. The final
grade also includes hidden checks of the same functions (the reference's
numbers for fixed seeds, and more cases): passing every public check is a good
sign, not a guarantee.

Your code runs in a separate process with limits on time and memory, so an
endless loop costs you that check, not the whole grade.

When a check fails, the run's page says why: open the Actions tab, then the
run of your push. The log of the Autograding Reporter step gives each check's
points and, under each failed one, the reason; the summary lists the same
messages.

## For instructors: setting up GitHub Classroom

1. Push this folder to a repository of your organization and make it a
   template (Settings > General > Template repository).
2. Create the Classroom assignment from that template.
3. **Add no autograding tests in the assignment's settings.** As soon as one
   test is added there, Classroom writes its own
   `.github/workflows/classroom.yml` into every student repository in place
   of this one, and grades only what those tests say. This repository's
   workflow already grades every public check with its own points, reports
   them where Classroom reads them (the `run-autograding-tests` job), and puts
   each failed check's message on the run's summary page.
4. Optionally list `.github/**` and the public test files under the
   assignment's protected file paths, so that a student's change to them is
   flagged.

The hidden checks are not in this repository: grade them with Gradescope or
`grade-all` on the collected repositories.
""")

ASSIGNMENT_ENTRY = Template("""\
- **$title** (`$folder/$filename`): $tasks
""")

PYPROJECT = Template("""\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "$name"
version = "$version"
description = "Exercises for a course on diffusion models, with their public tests and grader"
readme = "README.md"
requires-python = "$requires_python"
dependencies = [
$dependencies
]

[tool.setuptools.packages.find]
include = ["autograder*"]

[tool.pytest.ini_options]
testpaths = ["assignments"]
addopts = "-ra"
""")

GITIGNORE = """\
.venv/
build/
__pycache__/
*.pyc
.pytest_cache/
*.egg-info/
"""

# The workflow explains itself in its own comment: students and instructors read it there.
WORKFLOW = Template("""\
# Autograding for GitHub Classroom: on every push, grade the public checks with
# the course's grader and report the points where GitHub Classroom reads them.
#
# Why it looks like this: Classroom reads the points from the check run of the
# job `run-autograding-tests`, written there by the
# classroom-resources/autograding-grading-reporter action. The reporter takes
# one base64 JSON result per runner from <RUNNER>_RESULTS, and it prints a
# runner's points as (passed tests / all tests) x max_score while Classroom
# records the tests' own scores added up: the two agree for every submission
# only when a runner holds one check. So `python -m autograder classroom`
# grades once and writes one runner per public check (sometask3: the third
# check of some_task, with that check's points) to $$GITHUB_ENV, their ids to
# the step output `runners`, and each failed check's reason under its name in
# the reporter's log and in the job summary. (The stock
# autograding-command-grader gives all or nothing per command; the older
# education/autograding action with .github/classroom/autograding.json is
# retired.) Adding tests in the Classroom UI replaces this file: see README.md.
name: Autograding Tests

on:
  push:
  workflow_dispatch:
  repository_dispatch:

permissions:
  checks: write
  actions: read
  contents: read

jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    timeout-minutes: 15
    steps:
      - name: Check out the code
        uses: actions/checkout@v4

      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: "$python_version"

      # setup-python makes lines that look like a Python traceback into error
      # annotations; what student code prints is no annotation.
      - name: Install the grader's requirements
        run: |
          echo "::remove-matcher owner=python::"
          python -m pip install --quiet -c requirements.lock -e .
$grading_steps
      - name: Autograding Reporter
        uses: classroom-resources/autograding-grading-reporter@v1
        with:
          runners: $runners
""")

GRADING_STEP = Template("""\

      - name: Grade $assignment (public checks)
        id: $step_id
        run: python -m autograder classroom $assignment
""")
