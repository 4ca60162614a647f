"""The release holds nothing of the reference or the hidden suites, and the scan would say so if it did."""

import dataclasses
import tempfile
from pathlib import Path

import pytest

from autograder.channels.release import LeakFound, build_release
from autograder.channels.release.leaks import Tokens, _is_telling, engine_texts, public_texts, scan_release, secrets_of
from autograder.channels.release.steps import Release
from autograder.course import PROJECT_ROOT, load_course
from autograder.stubs import solution_lines

ASSIGNMENTS = list(load_course().values())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The release of this project, built once for this module."""
    return build_release(tmp_path_factory.mktemp("leaks") / "release")


@pytest.fixture(scope="module")
def secrets(built):
    return secrets_of(built)


def test_the_release_is_clean(built):
    """the scan finds no solution line, hidden suite line or name, and no private manifest key."""
    assert scan_release(built) == []


def test_every_assignment_has_its_secrets(secrets, built):
    """the scan holds one set of secrets per assignment of the course, each named after it."""
    assert sorted(secrets) == sorted(a.id for a in built.assignments)
    assert all(own.assignment == name for name, own in secrets.items())


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.id)
def test_the_scan_looks_for_something(secrets, assignment):
    """an assignment's secrets are its reference's solution lines and its hidden suite's lines and names."""
    own = secrets[assignment.id]
    reference = set(solution_lines(assignment.solution.read_text()))
    assert own.solution_lines | own.quoted == reference
    assert len(own.solution_lines) > len(own.quoted)
    assert len(own.hidden_lines) > 0
    hidden_files = [p.name for p in assignment.hidden_tests.glob("test_*.py")]
    assert hidden_files
    assert all(any(p.search(name) for p in own.names) for name in hidden_files)


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.id)
def test_only_lines_a_public_file_shows_are_allowed(built, secrets, assignment):
    """a solution line is let through only when something the release ships on purpose shows its tokens."""
    public = public_texts(built)
    assert all(any(text.holds(line) for text in public) for line in secrets[assignment.id].quoted)
    assert not any(text.holds(line) for text in public for line in secrets[assignment.id].solution_lines)


def test_tokens_ignore_spacing_case_and_line_breaks():
    """a line's tokens are the same however it is spaced, cased or broken, and a longer name is another token."""
    assert Tokens("x=NP.clip( X,lo ,hi )") == Tokens("x = np.clip(x, lo, hi)")
    assert Tokens("y = 1\nx = np.clip(x,\n    lo, hi)  # done").holds("x = np.clip(x, lo, hi)")
    assert not Tokens("x = np.clipper(x, lo, hi)").holds("x = np.clip(x, lo, hi)")
    assert not Tokens("x = np.clip(x, lo, high)").holds("x = np.clip(x, lo, hi)")
    assert not Tokens("anything at all").holds("")


@pytest.mark.parametrize(
    "plant",
    [
        "solution_in_markdown",
        "solution_in_code",
        "solution_respaced",
        "solution_split",
        "hidden_line",
        "hidden_file",
        "hidden_module",
        "solution_path",
        "manifest_key",
        "bytecode",
    ],
)
def test_a_planted_leak_is_found(built, secrets, ch01, tmp_path, plant):
    """each kind of leak, planted in a copy of the release, makes the scan report it."""
    import shutil  # noqa: PLC0415

    copy = Release(project=built.project, out=tmp_path / "copy", assignments=built.assignments)
    shutil.copytree(built.out, copy.out)
    solution = sorted(secrets[ch01.id].solution_lines)[0]
    hidden = sorted(secrets[ch01.id].hidden_lines)[0]
    readme = copy.out / "README.md"
    if plant == "solution_in_markdown":
        readme.write_text(readme.read_text() + f"\n    {solution}\n")
    elif plant == "solution_in_code":
        (copy.out / "autograder" / "extra.py").write_text(f"def f():\n    {solution}\n")
    elif plant == "solution_respaced":
        readme.write_text(readme.read_text() + "\n" + solution.replace(" ", "").upper() + "\n")
    elif plant == "solution_split":
        cut = solution.rindex(" ")  # a line broken where a formatter would break it
        readme.write_text(readme.read_text() + f"\n{solution[:cut]}\n    {solution[cut:]}\n")
    elif plant == "hidden_line":
        (copy.out / "assignments" / "ch01_forward" / "notes.py").write_text(f"    {hidden}\n")
    elif plant == "hidden_file":
        name = next(ch01.hidden_tests.glob("test_*.py")).name
        (copy.out / "autograder" / name).write_text("x = 1\n")
    elif plant == "hidden_module":
        dotted = ".".join(ch01.hidden_tests.relative_to(PROJECT_ROOT).parts)
        (copy.out / "autograder" / "extra.py").write_text(f"import {dotted}\n")
    elif plant == "solution_path":
        readme.write_text(readme.read_text() + f"\nsee {ch01.solution.relative_to(PROJECT_ROOT).as_posix()}\n")
    elif plant == "manifest_key":
        manifest = copy.out / "course.toml"
        text = manifest.read_text().replace('module = "forward"', 'module = "forward"\nsolution = "x.py"', 1)
        manifest.write_text(text)
    elif plant == "bytecode":
        (copy.out / "autograder" / "grade.cpython-311.pyc").write_bytes(b"\0\1\2")
    assert scan_release(copy, secrets) != []


@pytest.mark.slow
def test_a_leaking_release_is_not_kept(tmp_path, monkeypatch):
    """when a step leaks, build_release raises LeakFound and leaves no release behind."""
    from autograder.channels import release  # noqa: PLC0415

    def leak_a_solution(built):
        lines = {line for own in secrets_of(built).values() for line in own.solution_lines}
        (built.out / "leak.txt").write_text("\n".join(sorted(lines)))

    monkeypatch.setattr(release, "STEPS", (*release.STEPS, leak_a_solution))
    with pytest.raises(LeakFound) as raised:
        build_release(tmp_path / "release")
    hits = raised.value.hits
    assert all(hit.startswith("leak.txt: ") for hit in hits)
    every = secrets_of(Release.of(PROJECT_ROOT, tmp_path)).values()
    assert sum("solution line" in hit for hit in hits) == sum(len(own.solution_lines) for own in every)
    assert not (tmp_path / "release").exists() and not (tmp_path / "release.partial").exists()


def with_assignment(release: Release, changed) -> Release:
    """The release with one assignment replaced by ``changed`` (same id)."""
    assignments = tuple(changed if a.id == changed.id else a for a in release.assignments)
    return Release(project=release.project, out=release.out, assignments=assignments)


@pytest.mark.slow
def test_a_solution_line_a_hint_quotes_is_no_secret_however_it_is_written(built, ch01):
    """a hint quoting a solution line, recased and respaced, makes it public: the release holding it is clean."""
    line = sorted(secrets_of(built)[ch01.id].solution_lines)[0]
    hint = "In the end: " + line.upper().replace(" = ", "=").replace(", ", ",")
    first = dataclasses.replace(ch01.tasks[0], hints=(*ch01.tasks[0].hints, hint))
    quoting = with_assignment(built, dataclasses.replace(ch01, tasks=(first, *ch01.tasks[1:])))
    own = secrets_of(quoting)[ch01.id]
    assert line in own.quoted and line not in own.solution_lines
    assert line in secrets_of(built)[ch01.id].solution_lines  # without the hint it is a secret


@pytest.mark.slow
def test_a_line_another_assignments_public_file_holds_is_no_secret(built, ch01, tmp_path):
    """a solution line that another assignment's figures file holds too (a common idiom) is let through."""
    line = sorted(secrets_of(built)[ch01.id].solution_lines)[0]
    other = next(a for a in built.assignments if a.id != ch01.id)
    figures = tmp_path / "figures.py"
    figures.write_text(f"def draw(x):\n    {line}\n")
    sharing = with_assignment(built, dataclasses.replace(other, figures=figures))
    assert line not in secrets_of(sharing)[ch01.id].solution_lines
    assert line in secrets_of(sharing)[ch01.id].quoted


def test_a_hidden_line_the_shipped_engine_holds_is_no_secret(built, ch01):
    """a generic line that a hidden check and the engine both hold ships anyway; the check's own lines stay secret."""
    engine_line = next(
        line.strip()
        for line in (PROJECT_ROOT / "autograder" / "checks.py").read_text(encoding="utf-8").splitlines()
        if _is_telling(line.strip()) and "(" in line
    )
    own_line = "assert secret_helper(submission.cosine_schedule(17)) == 42"
    (PROJECT_ROOT / "build").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=PROJECT_ROOT / "build") as folder:  # a hidden suite lives in the project
        suite = Path(folder)
        (suite / "test_planted.py").write_text(f"def test_it(submission):\n    {engine_line}\n    {own_line}\n")
        planted = with_assignment(built, dataclasses.replace(ch01, hidden_tests=suite))
        hidden = secrets_of(planted)[ch01.id].hidden_lines
    assert any(text.holds(engine_line) for text in engine_texts(planted))
    assert engine_line not in hidden and own_line in hidden
