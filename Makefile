# The project's commands. Every target sets up .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BUILD := build

ASSIGNMENT ?= ch01_forward
SUBMISSION ?= assignments/$(ASSIGNMENT)
RESULTS ?= $(BUILD)/results.json

.PHONY: grade test stubs lint check-stubs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

grade: $(STAMP)  ## grade a submission: make grade SUBMISSION=path RESULTS=file
	$(PY) -m autograder grade $(ASSIGNMENT) --submission $(SUBMISSION) --results $(RESULTS)

test: $(STAMP)  ## run every test of the project
	$(PY) -m ruff check .
	$(PY) -m pytest

stubs: $(STAMP)  ## regenerate the student stubs from the solutions
	$(PY) -m autograder stubs

clean:
	rm -rf $(BUILD) $(VENV)
