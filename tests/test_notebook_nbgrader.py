"""The nbgrader round trip with the real nbgrader: release, autograde, feedback, export.

One course folder per session: generate_assignment once, then one autograde and
one generate_feedback over every submission below, so the kernel start-up is
paid once per notebook.
"""

from __future__ import annotations

import csv
import html.parser
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from suite_totals import points

from autograder.channels.notebook.checks import collect
from autograder.channels.notebook.course_folder import write_course_folder
from autograder.channels.notebook.sources import task_sources
from autograder.stubs import solution_lines

Gradebook = pytest.importorskip("nbgrader.api", reason="the nbgrader extra is installed by `make test`").Gradebook
pytestmark = pytest.mark.slow

# Wrong versions of the reference: (text in the reference, what replaces it).
WRONG = {
    "add_noise_no_sqrt": ("xt = np.sqrt(a) * x0 + np.sqrt(1 - a) * eps", "xt = a * x0 + (1 - a) * eps"),
    "schedule_fencepost": ("s = np.linspace(0.0, 1.0, T + 1)", "s = np.linspace(0.0, 1.0, T)"),
    "remove_noise_multiplied": (
        "return (xt - np.sqrt(1 - a) * eps) / np.sqrt(a)",
        "return (xt - np.sqrt(1 - a) * eps) * np.sqrt(a)",
    ),
    "noise_step_reseeded": (
        "eps = np.random.randn(*x_prev.shape)",
        "np.random.seed(0)\n    eps = np.random.randn(*x_prev.shape)",
    ),
    # Shows HTML with a script and an event handler, prints and raises terminal control.
    "hostile_output": (
        "eps = np.random.randn(*x0.shape)",
        "from IPython.display import HTML, display\n"
        "    display(HTML('<script>document.title = 1</script><b onmouseover=\"alert(1)\">bold</b>'))\n"
        "    print('\\x1b[2J\\x1b]0;graded\\x07\\x1b[1;32m123 / 123 points\\x1b[0m')\n"
        "    raise ValueError('\\x1b[8mconcealed')\n"
        "    eps = np.random.randn(*x0.shape)",
    ),
    # Right, but chatty: prints and warns. nbgrader fails a cell that writes to stderr.
    "right_but_warns": (
        "eps = np.random.randn(*x0.shape)",
        "import warnings\n    print('drawing noise')\n    warnings.warn('debugging')\n"
        "    eps = np.random.randn(*x0.shape)",
    ),
}


# The reference's notebook, with a hidden and a public test cell edited: restored, and reported.
TAMPERED = {
    "hidden_add_noise_preserves_unit_variance": "pass",
    "public_forward_add_noise_mixes_in_the_noise_it_returns": "pass",
}


@dataclass
class RoundTrip:
    course: Path
    notebook: str
    scores: dict  # student -> {grade_id: score}
    sources: dict  # student -> the .py file its notebook was filled from
    log: str  # what the nbgrader commands printed, stdout and stderr


def nbgrader(course: Path, *args: str) -> str:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run(
        ["nbgrader", *args], check=False, cwd=course, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def filled(release: Path, source: str, task_names) -> nbformat.NotebookNode:
    """The release notebook with each task's cell replaced by that function from ``source``."""
    notebook = nbformat.read(str(release), as_version=4)
    functions = task_sources(source, task_names)
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in functions:
            cell.source = functions[meta["grade_id"]]
    return notebook


@pytest.fixture(scope="session")
def round_trip(ch01, tmp_path_factory) -> RoundTrip:
    course = tmp_path_factory.mktemp("nbgrader")
    source_notebook = write_course_folder(ch01, course)
    log = nbgrader(course, "generate_assignment", ch01.id, "--force")
    release = course / "release" / ch01.id
    name = source_notebook.name
    reference = ch01.solution.read_text(encoding="utf-8")
    notebooks = {
        "reference": nbformat.read(str(source_notebook), as_version=4),
        "untouched": nbformat.read(str(release / name), as_version=4),
    }
    sources = {}
    for student, (old, new) in WRONG.items():
        assert old in reference, f"{student}: the reference no longer contains {old!r}"
        sources[student] = tmp_path_factory.mktemp(student) / ch01.filename
        sources[student].write_text(reference.replace(old, new), encoding="utf-8")
        notebooks[student] = filled(release / name, sources[student].read_text(encoding="utf-8"), ch01.task_names)
    notebooks["tampered"] = filled(release / name, reference, ch01.task_names)
    for cell in notebooks["tampered"].cells:
        cell.source = TAMPERED.get(cell.metadata.get("nbgrader", {}).get("grade_id"), cell.source)
    for student, notebook in notebooks.items():
        folder = course / "submitted" / student / ch01.id
        folder.mkdir(parents=True)
        nbformat.write(notebook, str(folder / name))
        for extra in release.iterdir():
            if extra.name != name:
                (folder / extra.name).write_bytes(extra.read_bytes())
    log += nbgrader(course, "autograde", ch01.id, "--create", "--force")
    log += nbgrader(course, "generate_feedback", ch01.id, "--force")
    log += nbgrader(course, "export", "--to", "grades.csv")
    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in notebooks:
            submitted = gradebook.find_submission_notebook(source_notebook.stem, ch01.id, student)
            scores[student] = {grade.name: grade.score for grade in submitted.grades}
    return RoundTrip(course, name, scores, sources, log)


def test_release_has_no_solutions_and_no_hidden_tests(round_trip, ch01):
    """the released folder holds only the notebook and the picture, with no reference code and no hidden check."""
    release = round_trip.course / "release" / ch01.id
    assert sorted(p.name for p in release.iterdir()) == sorted([round_trip.notebook, "sky_sun_ground.png"])
    notebook = nbformat.read(str(release / round_trip.notebook), as_version=4)
    # The instructions may quote a formula; the code cells must not hold the reference's.
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    leaked = [line for line in solution_lines(ch01.solution.read_text(encoding="utf-8")) if line in code]
    assert leaked == []
    for secret in ("BEGIN HIDDEN TESTS", "run_check", "autograder.channels.notebook.hidden", "BEGIN SOLUTION"):
        assert secret not in code
    hidden = collect(ch01, "hidden")
    graded = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(graded) == len(hidden) + len(collect(ch01, "public"))
    assert code.count("raise NotImplementedError()") == len(ch01.task_names)


def test_reference_notebook_gets_full_marks(round_trip, grade, ch01):
    """the source notebook (the reference) earns every point, the same total as the pytest grader's."""
    scores = round_trip.scores["reference"]
    assert [grade_id for grade_id, score in scores.items() if not score] == []
    assert sum(scores.values()) == grade(ch01.solution).max_score == points(ch01)


def test_untouched_release_gets_zero(round_trip, ch01):
    """the release notebook as students receive it earns nothing."""
    scores = round_trip.scores["untouched"]
    assert len(scores) == len(collect(ch01, "public") + collect(ch01, "hidden")) == 93
    assert sum(scores.values()) == 0


@pytest.mark.parametrize("student", sorted(WRONG))
def test_same_verdicts_as_the_pytest_grader(round_trip, grade, ch01, student):
    """each check passes in the notebook exactly when it passes in the pytest grader on the same code."""
    report = grade(round_trip.sources[student])
    pytest_verdicts = {test.name: test.passed for test in report.tests}
    checks = collect(ch01, "public") + collect(ch01, "hidden")
    scores = round_trip.scores[student]
    notebook_verdicts = {check.name: scores[check.grade_id] == check.points for check in checks}
    assert notebook_verdicts == pytest_verdicts
    assert sum(scores.values()) == report.score
    if student != "right_but_warns":
        assert report.score < report.max_score


def test_grades_csv_lists_every_student(round_trip):
    """nbgrader export writes each student's total to grades.csv."""
    with open(round_trip.course / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)}
    assert rows == {student: sum(scores.values()) for student, scores in round_trip.scores.items()}


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def _visible_text(path: Path) -> str:
    return _visible_text_of(path.read_text(encoding="utf-8"))


def test_feedback_shows_no_hidden_test_source(round_trip, ch01):
    """the feedback HTML holds the checks' messages but none of the hidden cells' or suites' code."""
    # Lines of the suites' code, less any the students' own code may share with them.
    # The public checks' own lines are shown in the notebook on purpose: they are no secret.
    reference = (
        ch01.solution.read_text(encoding="utf-8")
        + round_trip.sources["add_noise_no_sqrt"].read_text()
        + ch01.public_tests.read_text(encoding="utf-8")
    )
    suite_code = [
        line.strip()
        for path in ch01.hidden_tests.glob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if len(line.strip()) > 30
        and not line.strip().startswith(("#", '"', "def ", "@"))
        and line.strip() not in reference
    ]
    for student in ("untouched", "add_noise_no_sqrt"):
        text = _visible_text(
            round_trip.course / "feedback" / student / ch01.id / round_trip.notebook.replace(".ipynb", ".html")
        )
        assert "Hidden check" in text
        for secret in ("BEGIN HIDDEN TESTS", "run_check", "autograder.channels.notebook.hidden"):
            assert secret not in text
        assert [line for line in suite_code if line in text] == []
    failed = _visible_text(
        round_trip.course / "feedback" / "add_noise_no_sqrt" / ch01.id / round_trip.notebook.replace(".ipynb", ".html")
    )
    assert "known mistake" in failed


def test_feedback_holds_no_script_and_no_terminal_control(round_trip, ch01):
    """a notebook that shows a script and prints escape sequences: its feedback has neither, but keeps the words."""
    page = (
        round_trip.course / "feedback" / "hostile_output" / ch01.id / round_trip.notebook.replace(".ipynb", ".html")
    ).read_text(encoding="utf-8")
    # The cell's source shows them escaped, as code; the output it displayed must not render them.
    assert "<script>document.title" not in page and re.search("<b[^>]*onmouseover", page) is None
    assert "bold" in _visible_text_of(page)
    assert re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", page) is None
    assert "123 / 123 points" in _visible_text_of(page) and "concealed" in _visible_text_of(page)


def _visible_text_of(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return "".join(parser.parts)


def test_no_warning_but_for_the_cells_a_student_changed(round_trip):
    """release, autograde, feedback and export warn about nothing but the two test cells the tamperer edited."""
    warnings = [line for line in round_trip.log.splitlines() if "WARNING" in line]
    # ipykernel's notice that local kernels talk over TCP is about Jupyter's set-up (docs/nbgrader.md).
    ours = [line for line in warnings if not line.startswith("[IPKernelApp]")]
    reported = r"\[AutogradeApp \| WARNING\] Attribute 'checksum' for cell (\w+) has changed!"
    changed = [re.match(reported, line) for line in ours]
    assert all(changed), ours
    assert sorted(m[1] for m in changed) == sorted(TAMPERED)


def test_edited_test_cells_are_restored_before_grading(round_trip):
    """the tamperer's emptied test cells run as released: the same full marks as the reference."""
    assert round_trip.scores["tampered"] == round_trip.scores["reference"]
