"""class_report.html: counted from the rows, opened in headless Chromium, numbers read back from the page."""

import pytest
from test_dial_page import CHROMIUM, FLAGS, SCREENSHOTS

from autograder.channels.exports.class_report import histogram, misconceptions, pass_rates, render, write_class_report
from autograder.channels.exports.entries import Attempt
from autograder.channels.exports.rows import Row, Student
from autograder.results import GradeReport
from autograder.results import TestResult as Check
from autograder.suites.ch01_forward import misconceptions as known

# The file's shared fixtures take more than 1 s to set up: every test that uses them is slow.
pytestmark = pytest.mark.slow

TOP = 10.0


def row(key, name, passed_first, mistake=None, status="graded", reason=""):
    """A student whose first check passes or not; the second check fails with ``mistake`` named, if given."""
    tests = [
        Check("cosine_schedule: ends at 0", 4 if passed_first else 0, 4, task="cosine_schedule"),
        Check(
            "add_noise: mixes with square roots",
            6 if mistake is None else 0,
            6,
            output=f"wrong values\n{known.message(mistake)}" if mistake else "",
            task="add_noise",
        ),
    ]
    attempt = Attempt(key, name, ((None, "forward.py"),))
    report = GradeReport("ch01_forward", tests if status != "no submission" else [])
    if status == "rejected":
        report.tests = [Check(t.name, 0, t.max_score, task=t.task) for t in tests]
    handed_in = status != "no submission"
    return Row(Student(key, name, [attempt] if handed_in else []), report, status, int(handed_in), reason=reason)


def class_rows():
    return [
        row("1", "Ada", True),
        row("2", "Bob", True, "swapped"),
        row("3", "<script>alert(1)</script>", False, "swapped"),
        row("4", "Di", True, "no_sqrt"),
        row("5", "Ev", False, status="rejected", reason="0 points: the submission holds no file named forward.py"),
        row("6", "Fi", False, status="no submission", reason="no submission"),
    ]


def test_misconceptions_are_counted_per_student_from_the_checks_feedback():
    """Each named mistake with the students who made it, most common first."""
    found = misconceptions(class_rows())
    assert list(found.items()) == [
        (known.EXPLAIN["swapped"], ["<script>alert(1)</script> (3)", "Bob (2)"]),
        (known.EXPLAIN["no_sqrt"], ["Di (4)"]),
    ]


def test_two_wordings_of_one_mistake_in_one_task_by_the_same_students_are_one_line():
    """The public and the hidden suite naming one mistake in their own words count once."""
    rows = class_rows()
    for student in rows[1:3]:
        student.report.tests.append(
            Check("add_noise: hidden", 0, 1, output=f"{known.message('no_sqrt')[:-1]} again.", task="add_noise")
        )
    found = misconceptions(rows)
    first, who = next(iter(found.items()))
    assert who == ["<script>alert(1)</script> (3)", "Bob (2)"]
    assert first == f"{known.EXPLAIN['no_sqrt']} again (also: {known.EXPLAIN['swapped']})"


def test_pass_rates_count_graded_students_only_and_the_histogram_every_hand_in():
    """Pass rates over the 3 graded students with points, least passed first; the histogram bins every score."""
    rows = class_rows()
    assert pass_rates(rows) == [
        ("add_noise", "add_noise: mixes with square roots", 1, 3),
        ("cosine_schedule", "cosine_schedule: ends at 0", 3, 3),
    ]
    assert histogram(rows[:5], TOP) == [2, 0, 0, 0, 2, 0, 0, 0, 0, 1]


def test_the_page_loads_nothing_and_runs_no_script():
    """No address to fetch and no script element: the page stands alone; student text is escaped."""
    text = render(class_rows(), "ch01_forward", TOP)
    assert "http://" not in text and "https://" not in text and "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip(f"no system Chromium at {CHROMIUM} (`make system-packages` installs it as root)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (the dev extra has it)")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            args=FLAGS,
            headless=True,
            viewport={"width": 1000, "height": 900},
        )
        yield context
        context.close()


def test_the_report_shows_the_class_in_chromium(browser, tmp_path):
    """Opened in headless Chromium: the overview, histogram, misconceptions, pass rates and flagged rows read right."""
    path = tmp_path / "class_report.html"
    write_class_report(class_rows(), "ch01_forward", TOP, path)
    page = browser.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    assert requests == [path.as_uri()]
    assert (
        page.locator("#overview").inner_text() == "6 students, 5 handed in; median 4 of 10 points; 1 with full marks."
    )
    assert page.locator("#histogram .bin").evaluate_all("bins => bins.map(b => b.dataset.count)") == [
        "2", "0", "0", "0", "2", "0", "0", "0", "0", "1",
    ]  # fmt: skip
    mistakes = page.locator("#mistakes li").all_inner_texts()
    assert mistakes[0].startswith(f"2 of 5: {known.EXPLAIN['swapped']}")
    assert mistakes[0].endswith("\n<script>alert(1)</script> (3), Bob (2)")
    assert mistakes[1].startswith(f"1 of 5: {known.EXPLAIN['no_sqrt']}")
    assert page.locator("#checks tr.check").all_inner_texts()[0].split("\t")[:3] == [
        "add_noise",
        "mixes with square roots",
        "1 of 3",
    ]
    assert page.locator("#checks tr.check").count() == 1
    assert page.locator("#passed-by-all summary").inner_text() == "1 more checks passed by every graded student"
    flagged = page.locator("#attention tr.flagged").all_inner_texts()
    assert [line.split("\t")[:3] for line in flagged] == [["Ev (5)", "rejected", "0"], ["Fi (6)", "no submission", "0"]]
    assert page.evaluate("document.scripts.length") == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "class-report.png"), full_page=True)
