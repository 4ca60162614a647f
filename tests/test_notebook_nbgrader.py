"""The nbgrader round trip with the real nbgrader: release, nbgrader-grade, feedback, export.

One course folder per session: generate_assignment once, then one nbgrader-grade
over every submission below, each notebook graded in the real sandbox (a
process of its own, as instructors run it). The pytest grader's verdicts they
are compared with are gradings of the project's own files in this process
(the in-process stand-in): the sandbox is the notebooks' side of the test.
"""

from __future__ import annotations

import csv
import functools
import html
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from suite_totals import points

from autograder import cli as command_line
from autograder.channels.notebook import command
from autograder.channels.notebook.checks import collect
from autograder.channels.notebook.command import NBGRADER_MAIN
from autograder.channels.notebook.course_folder import write_course_folder
from autograder.channels.notebook.sources import imports, task_sources
from autograder.stubs import solution_lines

Gradebook = pytest.importorskip("nbgrader.api", reason="the nbgrader extra is installed by `make test`").Gradebook
nbgrader_steps = pytest.importorskip("autograder.channels.notebook.nbgrader_steps")
pytestmark = [pytest.mark.slow, pytest.mark.in_process]

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
    # Prints a script, an event handler and terminal control, and raises terminal control.
    "hostile_output": (
        "eps = np.random.randn(*x0.shape)",
        "print('<script>document.title = 1</script><b onmouseover=\"alert(1)\">bold</b>')\n"
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


# The reference's notebook, with a hidden and a public test cell edited: test cells are never read.
TAMPERED = {
    "hidden_add_noise_preserves_unit_variance": "pass",
    "public_forward_add_noise_mixes_in_the_noise_it_returns": "pass",
}

# Put after the first answer cell's function: from there, student code once reached the hidden
# checks, the reference and the gradebook (all in the kernel nbgrader ran the notebook in).
# Each attempt says what it did; in the sandbox each must fail, and the notebook still imports.
ATTACK = """

def _attempt(what, action):
    try:
        print(what, "->", action())
    except BaseException as error:
        print(what, "failed:", type(error).__name__)


def _patch_hidden_checks():
    import autograder.plugin as plugin
    plugin.GradingPlugin.pytest_runtest_makereport = lambda *args, **kwargs: None
    return "patched"


def _read_reference():
    with open({reference!r}, encoding="utf-8") as handle:
        return "REFERENCE: " + [line for line in handle if "np.cos" in line][0]


def _zero_classmate():
    import sqlite3
    for path in ({gradebook!r}, "../../../gradebook.db"):
        try:
            connection = sqlite3.connect(path)
            connection.execute("update grade set auto_score = 0")
            connection.commit()
            return "zeroed " + path
        except Exception:
            continue
    return "no gradebook"


def _overwrite_gradebook():
    with open({gradebook!r}, "r+b") as handle:
        handle.write(bytes(4096))
    return "overwritten"


_attempt("patch", _patch_hidden_checks)
_attempt("read", _read_reference)
_attempt("sqlite", _zero_classmate)
_attempt("overwrite", _overwrite_gradebook)
"""


@dataclass
class RoundTrip:
    course: Path
    notebook: str
    scores: dict  # student -> {grade_id: score}
    comments: dict  # student -> {task: comment}
    sources: dict  # student -> the .py file its notebook was filled from
    log: str  # what the nbgrader commands printed, stdout and stderr


def run_nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """nbgrader's command line in the course folder, started as nbgrader-release and nbgrader-grade start it."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run(
        [sys.executable, "-c", NBGRADER_MAIN, *args],
        check=False,
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def nbgrader(course: Path, *args: str) -> str:
    done = run_nbgrader(course, *args)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def nbgrader_grade(course: Path, assignment_id: str, *args: str) -> subprocess.CompletedProcess:
    """``python -m autograder nbgrader-grade ASSIGNMENT --course COURSE ARGS``."""
    return subprocess.run(
        [sys.executable, "-m", "autograder", "nbgrader-grade", assignment_id, "--course", str(course), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=1800,
    )


def filled(release: Path, source: str, task_names) -> nbformat.NotebookNode:
    """The release notebook with each task's cell replaced by that function from ``source``."""
    notebook = nbformat.read(str(release), as_version=4)
    functions = task_sources(source, task_names)
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in functions:
            cell.source = functions[meta["grade_id"]]
    return notebook


def _cell(notebook, grade_id: str):
    return next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _tampered(release: Path, reference: str, ch01, course: Path) -> dict:
    """Notebooks changed in the ways a student can change one, each beside a classmate graded as usual."""
    notebooks = {}
    attack = ATTACK.format(reference=str(ch01.solution), gradebook=str(course / "gradebook.db"))
    notebooks["zz_kernel_patcher"] = nbformat.read(str(release), as_version=4)
    _cell(notebooks["zz_kernel_patcher"], ch01.task_names[0]).source += attack
    notebooks["zz_patcher_with_answers"] = filled(release, reference, ch01.task_names)
    _cell(notebooks["zz_patcher_with_answers"], ch01.task_names[0]).source += attack
    notebooks["tampered_test_cells"] = filled(release, reference, ch01.task_names)
    for grade_id, source in TAMPERED.items():
        _cell(notebooks["tampered_test_cells"], grade_id).source = source
    claim = filled(release, reference, ch01.task_names)
    hidden_id = next(c.grade_id for c in collect(ch01, "hidden"))
    extra = nbformat.v4.new_code_cell("print('all hidden checks passed')")
    extra.metadata["nbgrader"] = {"grade": True, "grade_id": hidden_id, "locked": False, "points": 100}
    extra.metadata["nbgrader"] |= {"schema_version": 3, "solution": False, "task": False}
    claim.cells.insert(5, extra)
    notebooks["claims_a_hidden_grade_id"] = claim
    notebooks["answer_marked_graded"] = filled(release, reference, ch01.task_names)
    _cell(notebooks["answer_marked_graded"], "add_noise").metadata["nbgrader"].update(grade=True, points=50)
    duplicated = filled(release, reference, ch01.task_names)
    cell = _cell(duplicated, "add_noise")
    duplicated.cells.insert(duplicated.cells.index(cell), nbformat.from_dict(json.loads(json.dumps(cell))))
    notebooks["duplicate_answer"] = duplicated
    deleted = filled(release, reference, ch01.task_names)
    deleted.cells.remove(_cell(deleted, "add_noise"))
    notebooks["deleted_answer"] = deleted
    # Instructions and test cells deleted: they are never read, so nothing changes.
    locked = filled(release, reference, ch01.task_names)
    locked.cells = [c for c in locked.cells if not c.metadata.get("nbgrader", {}).get("locked")]
    notebooks["deleted_locked_cells"] = locked
    return notebooks


@pytest.fixture(scope="session")
def round_trip(ch01, tmp_path_factory) -> RoundTrip:
    course = tmp_path_factory.mktemp("nbgrader")
    source_notebook = write_course_folder(ch01, course)
    log = nbgrader(course, "generate_assignment", ch01.id, "--force")
    release = course / "release" / ch01.id
    name = source_notebook.name
    reference = ch01.solution.read_text(encoding="utf-8")
    notebooks = {
        "alice": filled(release / name, reference, ch01.task_names),
        "reference": nbformat.read(str(source_notebook), as_version=4),
        "untouched": nbformat.read(str(release / name), as_version=4),
    }
    sources = {}
    for student, (old, new) in WRONG.items():
        assert old in reference, f"{student}: the reference no longer contains {old!r}"
        sources[student] = tmp_path_factory.mktemp(student) / ch01.filename
        sources[student].write_text(reference.replace(old, new), encoding="utf-8")
        notebooks[student] = filled(release / name, sources[student].read_text(encoding="utf-8"), ch01.task_names)
    notebooks |= _tampered(release / name, reference, ch01, course)
    for student, notebook in notebooks.items():
        folder = course / "submitted" / student / ch01.id
        shutil.copytree(release, folder)
        # As bytes: nbformat.write would repair the duplicated cell id a tamperer wrote.
        (folder / name).write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    shutil.copytree(release, course / "submitted" / "not_a_notebook" / ch01.id)
    (course / "submitted" / "not_a_notebook" / ch01.id / name).write_bytes(b"\x00\xff{ not json")
    (course / "submitted" / "no_notebook" / ch01.id).mkdir(parents=True)
    graded = nbgrader_grade(course, ch01.id)
    log += graded.stdout + graded.stderr
    assert graded.returncode == 0, log[-4000:]
    scores, comments = {}, {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in [*notebooks, "not_a_notebook", "no_notebook"]:
            submitted = gradebook.find_submission_notebook(source_notebook.stem, ch01.id, student)
            scores[student] = {grade.name: grade.score for grade in submitted.grades}
            comments[student] = {comment.name: comment.comment for comment in submitted.comments}
    return RoundTrip(course, name, scores, comments, sources, log)


@pytest.fixture(scope="module")
def graded(grade):
    """``grade``, each file graded once in this module: several tests compare with the same grading."""
    return functools.cache(grade)


@pytest.fixture(scope="module")
def without_add_noise(ch01, tmp_path_factory) -> Path:
    """The reference as a module file without add_noise's cell."""
    module = tmp_path_factory.mktemp("without_add_noise") / ch01.filename
    module.write_text(_without(ch01.solution.read_text(encoding="utf-8"), "add_noise", ch01.task_names))
    return module


def _feedback(round_trip, ch01, student) -> str:
    path = round_trip.course / "feedback" / student / ch01.id / round_trip.notebook.replace(".ipynb", ".html")
    return path.read_text(encoding="utf-8")


def _without(source: str, task: str, task_names) -> str:
    """A module file of the reference's set-up and every task's cell but ``task``'s."""
    cells = task_sources(source, task_names)
    return "\n\n\n".join([imports(source), *(cells[name] for name in task_names if name != task)]) + "\n"


def test_release_has_no_solutions_and_no_hidden_tests(round_trip, ch01):
    """the released folder holds only the notebook and the picture, with no reference code and no hidden check."""
    release = round_trip.course / "release" / ch01.id
    assert sorted(p.name for p in release.iterdir()) == sorted([round_trip.notebook, "sky_sun_ground.png"])
    notebook = nbformat.read(str(release / round_trip.notebook), as_version=4)
    # The instructions may quote a formula; the code cells must not hold the reference's.
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    leaked = [line for line in solution_lines(ch01.solution.read_text(encoding="utf-8")) if line in code]
    assert leaked == []
    for secret in ("BEGIN HIDDEN TESTS", "BEGIN SOLUTION"):
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
def test_same_verdicts_as_the_pytest_grader(round_trip, graded, ch01, student):
    """each check passes in the notebook exactly when it passes in the pytest grader on the same code."""
    report = graded(round_trip.sources[student])
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
        for secret in ("BEGIN HIDDEN TESTS", "autograder.channels"):
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
    assert re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", page) is None
    assert "concealed" in _visible_text_of(page)


@functools.lru_cache(maxsize=8)
def _visible_text_of(page: str) -> str:
    # Remembered by the page's text: several tests read the same feedback (a 600 kB page).
    parser = _Text()
    parser.feed(page)
    return "".join(parser.parts)


def test_no_warning_at_all(round_trip):
    """release, grading, feedback and export print no warning, also with tampered and unreadable notebooks."""
    assert [line for line in round_trip.log.splitlines() if "warning" in line.lower()] == []


@pytest.mark.parametrize(
    ("student", "twin"),
    [("zz_kernel_patcher", "untouched"), ("zz_patcher_with_answers", "alice")],
)
def test_a_notebook_attacking_the_grader_scores_what_its_twin_scores(round_trip, student, twin):
    """a notebook that patches the checks, reads the reference and writes the gradebook scores exactly as its twin."""
    assert round_trip.scores[student] == round_trip.scores[twin]


def test_a_notebook_attacking_the_grader_cannot_print_the_reference(round_trip, ch01):
    """the attacker's feedback shows its attempts failing, and no line of the reference's code."""
    page = _visible_text_of(_feedback(round_trip, ch01, "zz_kernel_patcher"))
    for attempt in ("patch failed:", "read failed:", "sqlite -> no gradebook", "overwrite failed:"):
        assert attempt in page
    assert "read -> REFERENCE" not in page
    # Lines the released notebook shows everyone (the public tests use some) are no leak.
    release = nbformat.read(str(round_trip.course / "release" / ch01.id / round_trip.notebook), as_version=4)
    released = "\n".join(cell.source for cell in release.cells)
    code = [line for line in solution_lines(ch01.solution.read_text(encoding="utf-8")) if line not in released]
    assert len(code) > 5
    leaked = [line for line in code if line in page]
    assert leaked == []


def test_no_notebook_changes_a_classmates_row(round_trip, ch01):
    """after the attackers ran, the correct notebooks keep 176 on ch01_forward, in the gradebook and grades.csv."""
    assert sum(round_trip.scores["alice"].values()) == sum(round_trip.scores["reference"].values()) == 176
    with open(round_trip.course / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)}
    assert rows["alice"] == rows["reference"] == 176.0


@pytest.mark.parametrize(
    "student", ["tampered_test_cells", "claims_a_hidden_grade_id", "answer_marked_graded", "deleted_locked_cells"]
)
def test_changed_metadata_and_test_cells_change_no_score(round_trip, student):
    """edited or deleted test cells, a cell claiming a hidden check's grade id, an answer marked graded: still 176."""
    assert round_trip.scores[student] == round_trip.scores["alice"]
    assert sum(round_trip.scores[student].values()) == 176


@pytest.mark.parametrize(
    ("student", "reason"),
    [
        ("claims_a_hidden_grade_id", "claims the grade id of one of the course's test cells"),
        ("answer_marked_graded", "the answer cell of add_noise is marked as graded"),
        ("duplicate_answer", "2 cells claim to be the answer cell of add_noise"),
        ("deleted_answer", "no cell holds your answer to add_noise"),
        ("not_a_notebook", "the notebook could not be read"),
        ("no_notebook", "no ch01_forward.ipynb was handed in"),
    ],
)
def test_each_tampered_notebook_gets_its_reason_in_its_own_feedback_and_the_log(round_trip, ch01, student, reason):
    """the reason is in that student's feedback and in nbgrader-grade's output, and in no classmate's feedback."""
    assert reason in _visible_text_of(_feedback(round_trip, ch01, student))
    assert f"autograder: {student}: " in round_trip.log
    assert reason not in _visible_text_of(_feedback(round_trip, ch01, "alice"))


@pytest.mark.parametrize("student", ["duplicate_answer", "deleted_answer"])
def test_a_lost_answer_costs_that_task_only(round_trip, graded, without_add_noise, student):
    """add_noise's answer cannot be told: the score is make grade's for the module without add_noise's cell."""
    expected = graded(without_add_noise).score
    assert 0 < sum(round_trip.scores[student].values()) == expected < 176
    assert round_trip.comments[student]["add_noise"].startswith("Not graded")


@pytest.mark.parametrize("student", ["not_a_notebook", "no_notebook"])
def test_a_notebook_that_cannot_be_read_gets_zero_and_a_row(round_trip, ch01, student):
    """an unreadable or missing notebook: a gradebook row of 93 zeros, and grades.csv lists the student."""
    assert len(round_trip.scores[student]) == 93 and sum(round_trip.scores[student].values()) == 0
    with open(round_trip.course / "grades.csv", newline="", encoding="utf-8") as handle:
        assert student in {row["student_id"] for row in csv.DictReader(handle)}


def _as_nbconvert_writes_it(page: str) -> str:
    """The page after HTMLExporter's last step, a re-parse and re-write (which FeedbackPage leaves out)."""
    from bs4 import BeautifulSoup  # noqa: PLC0415 - nbconvert's dependency, with the nbgrader extra

    return str(BeautifulSoup(page, features="html.parser"))


def test_feedback_needs_nothing_of_htmlexporters_accessibility_step(round_trip, ch01):
    """the feedback's images all have alt text and it has no JupyterLab cell: nbconvert's last step adds nothing."""
    from bs4 import BeautifulSoup  # noqa: PLC0415 - nbconvert's dependency, with the nbgrader extra

    soup = BeautifulSoup(_feedback(round_trip, ch01, "add_noise_no_sqrt"), features="html.parser")
    assert soup.select("img") and soup.select("img:not([alt])") == []
    assert soup.select("div.jp-Cell-inputWrapper, div.jp-OutputArea-output") == []


@pytest.mark.parametrize(
    ("markdown", "way"),
    [("![the schedule](schedule.png)", "kept as rendered"), ('<img src="schedule.png">', "nbconvert's own")],
)
def test_feedback_page_is_the_page_htmlexporter_writes(markdown, way):
    """FeedbackPage gives HTMLExporter's page, notebook after notebook: the same document, and the same
    text when an image lacks alt text."""
    from nbconvert.exporters import HTMLExporter  # noqa: PLC0415 - with the nbgrader extra

    ours = nbgrader_steps.FeedbackPage(template_name="classic")  # one for the class, as in generate_feedback
    for answer in ("print('x')", "print('y')", "print('x')"):
        notebook = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_markdown_cell(markdown), nbformat.v4.new_code_cell(answer)]
        )
        page = ours.from_notebook_node(notebook)[0]
        theirs = HTMLExporter(template_name="classic").from_notebook_node(notebook)[0]
        assert (page == theirs) is (way == "nbconvert's own")
        assert _as_nbconvert_writes_it(page) == theirs


def test_feedback_names_every_test_cell_by_its_check(round_trip, ch01):
    """the list atop the feedback names each check (no bare "Test cell"), failed ones marked."""
    # Written out as nbconvert writes a page (quotes in text left plain), the same document.
    page = _as_nbconvert_writes_it(_feedback(round_trip, ch01, "add_noise_no_sqrt"))
    toc = page.split('<div id="toc">')[1].split("</div>")[0]
    assert "Test cell" not in toc
    for check in collect(ch01, "public") + collect(ch01, "hidden"):
        assert html.escape(check.name, quote=False) in toc
    failed = re.findall(r'<li class="failed"><a href="#(\w+)">', toc)
    assert len(failed) == sum(1 for score in round_trip.scores["add_noise_no_sqrt"].values() if not score) > 0


def test_feedback_messages_are_the_graders_wrapped_never_a_traceback(round_trip, graded, ch01):
    """each failed cell shows the grader's own message for that check, wrapped to the page, with no traceback."""
    report = {test.name: test for test in graded(round_trip.sources["add_noise_no_sqrt"]).tests}
    autograded = round_trip.course / "autograded" / "add_noise_no_sqrt" / ch01.id / round_trip.notebook
    notebook = nbformat.read(str(autograded), as_version=4)
    shown = 0
    for cell in notebook.cells:
        check = cell.metadata.get("autograder", {}).get("check")
        if check is None or report[check].passed:
            continue
        text = "".join(output["text"] for output in cell.outputs)
        assert "Traceback" not in text and "AssertionError" not in text
        assert all(len(line) <= 100 for line in text.splitlines()), text
        first_line = report[check].output.splitlines()[0]
        assert text.split("\n\n", 1)[1].split()[:6] == first_line.split()[:6]
        shown += 1
    assert shown > 0


def test_nbgrader_autograde_refuses_to_run_notebooks_in_a_kernel(round_trip, ch01):
    """nbgrader's own autograde, which would run student code in a kernel, fails in this course folder, saying why."""
    done = run_nbgrader(round_trip.course, "autograde", ch01.id, "--student", "alice", "--force")
    assert done.returncode != 0
    assert "make nbgrader-grade" in done.stdout + done.stderr


def test_an_unknown_student_is_refused_before_anything_is_graded(round_trip, ch01, monkeypatch, capsys):
    """nbgrader-grade --student with a name that has no folder in submitted/: exit 2 naming it, nothing run."""
    ran = []
    monkeypatch.setattr(command, "_nbgrader", lambda course, *commands: ran.extend(commands) or 0)
    arguments = command_line.build_parser().parse_args(
        ["nbgrader-grade", ch01.id, "--course", str(round_trip.course), "--student", "alice", "--student", "../alice"]
    )
    assert command.run_grade(arguments) == 2
    assert ran == []
    assert capsys.readouterr().err.strip().endswith("for student(s) '../alice'; nothing was graded")


@dataclass
class Regraded:
    done: subprocess.CompletedProcess
    before: dict  # student -> when each file of their autograded and feedback folders was last written


def _written(course: Path, student: str, assignment_id: str) -> dict:
    folders = [course / step / student / assignment_id for step in ("autograded", "feedback")]
    return {path: path.stat().st_mtime_ns for folder in folders for path in folder.rglob("*") if path.is_file()}


@pytest.fixture(scope="module")
def regraded(round_trip, ch01) -> Regraded:
    """A score set by hand on one of alice's hidden checks, then ``nbgrader-grade --student alice``."""
    # Used by the last tests only: it changes the course folder the tests above read.
    hidden = collect(ch01, "hidden")[0].grade_id
    with Gradebook(f"sqlite:///{round_trip.course / 'gradebook.db'}") as gradebook:
        grade = gradebook.find_grade(hidden, ch01.id, ch01.id, "alice")
        grade.manual_score = 0.0
        gradebook.db.commit()
    before = {student: _written(round_trip.course, student, ch01.id) for student in round_trip.scores}
    return Regraded(nbgrader_grade(round_trip.course, ch01.id, "--student", "alice"), before)


def test_grading_again_keeps_manual_grades_and_warns_about_nothing(round_trip, regraded, ch01):
    """a score set by hand survives a second nbgrader-grade, flagged for review; the rerun prints no warning."""
    again = regraded.done
    assert again.returncode == 0, again.stderr[-3000:]
    assert [line for line in (again.stdout + again.stderr).splitlines() if "warning" in line.lower()] == []
    hidden = collect(ch01, "hidden")[0].grade_id
    with Gradebook(f"sqlite:///{round_trip.course / 'gradebook.db'}") as gradebook:
        grade = gradebook.find_grade(hidden, ch01.id, ch01.id, "alice")
        assert (grade.manual_score, grade.auto_score, grade.needs_manual_grade) == (0.0, grade.max_score, True)
        submitted = gradebook.find_submission_notebook(ch01.id, ch01.id, "alice")
        assert submitted.score == 176 - grade.max_score


def test_student_option_regrades_that_student_only(round_trip, regraded, ch01):
    """nbgrader-grade --student alice: alice graded and her feedback rewritten; every other row and file as it was."""
    assert regraded.done.returncode == 0, regraded.done.stderr[-3000:]
    assert "[1/1] alice: 176 / 176" in regraded.done.stderr
    with Gradebook(f"sqlite:///{round_trip.course / 'gradebook.db'}") as gradebook:
        for student, scores in round_trip.scores.items():
            submitted = gradebook.find_submission_notebook(ch01.id, ch01.id, student)
            if student == "alice":
                alice = submitted.score
            else:
                assert {grade.name: grade.score for grade in submitted.grades} == scores, student
    for student, written in regraded.before.items():
        now = _written(round_trip.course, student, ch01.id)
        if student == "alice":
            # Her feedback and autograded notebook are new (the autograde test above took the old one away).
            assert {path.name for path in now} == {f"{ch01.id}.ipynb", f"{ch01.id}.html"}
            assert all(now[path] != when for path, when in written.items())
        else:
            assert now == written, student
    with open(round_trip.course / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)}
    assert set(rows) == set(round_trip.scores) and rows["alice"] == alice
