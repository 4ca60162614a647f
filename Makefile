# The project's commands. Every target sets up .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Every install pins its versions from this one file (docs/dependencies.md).
LOCK := requirements.lock
NBGRADER_STAMP := $(VENV)/.nbgrader
# Bytecode of the project's own modules, as pip writes for an installed package (an
# editable install writes none, and PYTHONDONTWRITEBYTECODE stops Python writing it
# later): a cold grading then compiles nothing. checked-hash: a .pyc is used only
# while its source is byte for byte the one it was compiled from.
COMPILED := $(VENV)/.compiled
# Not the students' own files, which change on every save and run only in the worker.
COMPILED_SOURCES := $(shell find autograder solutions -name '*.py' 2>/dev/null) $(wildcard assignments/*/test_*.py)
BUILD := build

# The first assignment of course.toml unless ASSIGNMENT=<id> is given.
ASSIGNMENT_IDS := $(shell sed -n 's/^id *= *"\([^"]*\)".*/\1/p' course.toml)
ASSIGNMENT ?= $(firstword $(ASSIGNMENT_IDS))
SUBMISSION ?= assignments/$(ASSIGNMENT)
RESULTS ?= $(BUILD)/results.json
FIGURES ?= $(BUILD)/figures
SUBMISSIONS ?= submissions
OUT ?= $(BUILD)/grades
NBGRADER_COURSE ?= $(BUILD)/nbgrader

.PHONY: help grade check watch test test-fast figures hint stubs readme-images readme-points release gradescope grade-all \
        nbgrader-release nbgrader-grade bench clean typecheck system-packages lock test-pythons mutants mutants-ci
.DEFAULT_GOAL := help

# The oldest Python the project runs on: pyproject.toml's requires-python.
MIN_PYTHON := $(shell sed -n 's/^requires-python *= *">= *\([0-9.]*\)".*/\1/p' pyproject.toml)
# Shell: succeeds when the Python $(1) names is older than MIN_PYTHON or does not run; $$v says which.
python_too_old = v=$$($(1) -c 'import sys; print("%d %d" % sys.version_info[:2])' 2>/dev/null); \
	if [ -z "$$v" ]; then v="a Python that does not run"; else set -- $$v $(subst ., ,$(MIN_PYTHON)); \
	v="Python $$1.$$2"; [ "$$1" -lt "$$3" ] || { [ "$$1" -eq "$$3" ] && [ "$$2" -lt "$$4" ]; }; fi

# A .venv of an unsupported Python (an older PYTHON=, or one that no longer runs) is made again;
# a PYTHON too old to make one is refused before anything is written.
$(STAMP): pyproject.toml $(LOCK)
	@if $(call python_too_old,$(PYTHON)); then \
		echo "make: PYTHON=$(PYTHON) is $$v; the project needs Python $(MIN_PYTHON) or newer:" \
			"install one and run make $(or $(MAKECMDGOALS),help) PYTHON=python3.X with it" >&2; \
		exit 2; fi
	@if [ -e $(VENV) ] && $(call python_too_old,$(PY)); then \
		echo "make: $(VENV) holds $$v, which the project cannot use (it needs $(MIN_PYTHON) or newer);" \
			"making it again with $(PYTHON)"; \
		rm -rf $(VENV); fi
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c $(LOCK) -e '.[dev]'
	touch $(STAMP)

$(COMPILED): $(STAMP) $(COMPILED_SOURCES)
	@$(PY) -m compileall -q --invalidation-mode checked-hash $(COMPILED_SOURCES) >/dev/null
	@touch $(COMPILED)

# nbgrader (about 400 MB with Jupyter) is an optional extra: installed for the
# nbgrader targets, `make bench` and `make test`, never for `make grade`.
$(NBGRADER_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -c $(LOCK) -e '.[dev,nbgrader]'
	touch $(NBGRADER_STAMP)

help:  ## this list of commands
	@awk -F ':.*## ' '/^## /{sub(/ -+$$/, ""); print "\n" substr($$0, 4)} /^[a-z-]+:.*## /{printf "  make %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

## Students ------------------------------------------------------------------

grade: $(COMPILED)  ## grade a submission: make grade [SUBMISSION=path] [RESULTS=file]
	$(PY) -m autograder grade $(ASSIGNMENT) --submission $(SUBMISSION) --results $(RESULTS)

check: $(STAMP)  ## the public checks alone on your working copy, in seconds (plain pytest)
	$(PY) -m pytest -q --tb=short -p no:cacheprovider assignments/$(ASSIGNMENT)

figures: $(COMPILED)  ## the assignment's figures, drawn with your code: make figures [IMAGE=photo.jpg] [SUBMISSION=path]
	$(PY) -m autograder figures $(ASSIGNMENT) --submission $(SUBMISSION) --out $(FIGURES) $(if $(IMAGE),--image $(IMAGE))

watch: $(COMPILED)  ## regrade your working copy every time you save it (Ctrl-C stops)
	$(PY) -m autograder watch $(ASSIGNMENT) --submission $(SUBMISSION)

hint: $(COMPILED)  ## the next hint for a task: make hint TASK=name (RESET=1 starts over)
	$(PY) -m autograder hint $(ASSIGNMENT) $(TASK) $(if $(RESET),--reset)

## Instructors ---------------------------------------------------------------

release: $(STAMP)  ## build the student repository under build/release (no solutions, no hidden checks)
	$(PY) -m autograder release

gradescope: $(STAMP)  ## build the Gradescope autograder zip under build/gradescope (HIDDEN_CHECKS=each: see README)
	$(PY) -m autograder gradescope $(ASSIGNMENT) --out $(BUILD)/gradescope $(if $(HIDDEN_CHECKS),--hidden-checks $(HIDDEN_CHECKS))

grade-all: $(COMPILED)  ## grade a class folder or a platform's export: make grade-all SUBMISSIONS=dir|zip OUT=dir [LAYOUT=] [ATTEMPTS=] [ROSTER=]
	$(PY) -m autograder grade-all $(ASSIGNMENT) $(SUBMISSIONS) --out $(OUT) $(if $(LAYOUT),--layout $(LAYOUT)) \
		$(if $(ATTEMPTS),--attempts $(ATTEMPTS)) $(if $(ROSTER),--roster $(ROSTER))

nbgrader-release: $(NBGRADER_STAMP)  ## write the nbgrader course folder and release the notebook (build/nbgrader)
	$(PY) -m autograder nbgrader-release $(ASSIGNMENT) --course $(NBGRADER_COURSE)

nbgrader-grade: $(NBGRADER_STAMP)  ## grade build/nbgrader/submitted/* (STUDENT=id: only that one) in the sandbox; feedback, grades.csv
	$(PY) -m autograder nbgrader-grade $(ASSIGNMENT) --course $(NBGRADER_COURSE) $(foreach s,$(STUDENT),--student $(s))

## Developers ----------------------------------------------------------------

# Three pytest processes, a test file each at a time (a file's fixtures are shared by its tests), the
# longest files first (tests/conftest.py, LONGEST_FIRST). Three on two cores: many tests wait on a
# worker, a subprocess or a time limit, and the third process fills those waits (on the 2-core
# machine pytest took 337 s with two, 292-298 s with three, 311 s with four).
# Gradings side by side are safe: each claims its own sandbox uid and cgroup.
TEST_JOBS ?= 3

test: $(COMPILED) $(NBGRADER_STAMP) system-packages  ## the developers' suite: every test of the project (with the nbgrader round trip)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	@$(MAKE) --no-print-directory typecheck
	$(PY) -m pytest -n $(TEST_JOBS) --dist loadfile --no-loadscope-reorder

test-fast: $(COMPILED)  ## the inner loop while editing the engine: every test not marked slow
	$(PY) -m pytest -q -m "not slow" -n $(TEST_JOBS) --dist loadfile --no-loadscope-reorder

typecheck: $(STAMP)  ## mypy on the engine: every module with the defaults, the strict subset strictly (pyproject.toml)
	$(PY) -m mypy

# Mutants per function of every assignment in CI; with the degenerates (about 60), some 110 gradings.
# tests/test_mutation.py grades the same spread (CI_SAMPLE) inside `make test`, beside the other tests
# (its degenerates are graded and checked by tests/test_no_points_for_nothing.py).
MUTANTS_SAMPLE ?= 3

mutants: $(STAMP)  ## mutation-test every assignment's suites (every mutant loses points on its own function only) and grade its degenerate submissions (none above 5%)
	$(PY) tests/mutation.py --json $(BUILD)/mutants.json

mutants-ci: $(STAMP)  ## the same on an even spread of MUTANTS_SAMPLE mutants per function (the spread make test checks)
	$(PY) tests/mutation.py --quiet --sample $(MUTANTS_SAMPLE) --json $(BUILD)/mutants-ci.json

test-pythons: $(STAMP)  ## the whole suite under each Python 3.10-3.13 found here, each with the lock's pins
	$(PY) -m nox --no-error-on-missing-interpreters $(if $(PYTHONS),--python $(PYTHONS))

lock: $(STAMP)  ## re-resolve requirements.lock from pyproject.toml (needs PyPI; UPGRADE=1 moves every pin to the newest)
	$(PY) -m uv pip compile pyproject.toml --all-extras --universal --python-version 3.10 --quiet \
		--custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) -o $(LOCK)

stubs: $(STAMP)  ## regenerate the student stubs from the solutions
	$(PY) -m autograder stubs

readme-points: $(STAMP)  ## rewrite README.md's table of assignments and points from course.toml and the suites
	$(PY) tests/readme_points.py

readme-images: $(STAMP)  ## redraw the assignment's README pictures from the reference
	$(PY) -m autograder readme-images $(ASSIGNMENT)

bench: $(COMPILED)  ## time grading (one submission, a batch) against nbgrader autograde; build/bench/bench.json
	@$(MAKE) --no-print-directory $(NBGRADER_STAMP) || echo "bench: the nbgrader extra could not be installed; its rows are skipped"
	$(PY) benchmarks/bench.py

system-packages:  ## as root, install the Debian packages in .ci/system-packages (elsewhere: say what is missing)
	@.ci/install-system-packages

clean:
	rm -rf $(BUILD) $(VENV)
