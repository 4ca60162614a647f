"""course.toml is checked against its schema: every mistake is one line naming the file, the place and the key."""

import copy
import dataclasses

import pytest
from new_course import TOY, autograder, make_course

from autograder.course import MANIFEST, Assignment, load_course, tomllib
from autograder.manifest import LIMITS, SCHEMA, ManifestError, build, describe, keys_of, schema_field, validate
from autograder.sandbox import Limits

COURSE = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
FIRST = COURSE["assignments"][0]["id"]


def broken(edit):
    """A copy of the project's manifest data with one edit applied to its first assignment."""
    data = copy.deepcopy(COURSE)
    edit(data["assignments"][0])
    return data


def rename(key, new):
    return lambda entry: entry.__setitem__(new, entry.pop(key))


def drop(key):
    return lambda entry: entry.pop(key)


def put(key, value):
    return lambda entry: entry.__setitem__(key, value)


def in_limits(key, value):
    return lambda entry: entry.setdefault("limits", {}).__setitem__(key, value)


def in_first_task(key, value):
    return lambda entry: entry["tasks"][0].__setitem__(key, value)


CASES = {
    "misspelt key": (
        rename("hidden_tests", "hiden_tests"),
        f"course.toml: assignment {FIRST}: unknown key 'hiden_tests' (did you mean 'hidden_tests'?)",
    ),
    "misspelt limit": (
        in_limits("call_secs", 3),
        f"course.toml: assignment {FIRST}, limits: unknown key 'call_secs' (did you mean 'call_seconds'?)",
    ),
    "missing key": (
        drop("module"),
        f"course.toml: assignment {FIRST}: key 'module' is missing (the file students edit is <module>.py)",
    ),
    "wrong type": (
        put("title", 3),
        f"course.toml: assignment {FIRST}: key 'title' should be a non-empty string, not a number (3)",
    ),
    "limit of the wrong type": (
        in_limits("memory_mb", "lots"),
        f"course.toml: assignment {FIRST}, limits: key 'memory_mb' should be a number, not a string ('lots')",
    ),
    "negative limit": (
        in_limits("call_seconds", -1),
        f"course.toml: assignment {FIRST}: limits.call_seconds is -1; limits are positive numbers",
    ),
    "path that does not exist": (
        put("public_tests", "assignments/nowhere/test_x.py"),
        f"course.toml: assignment {FIRST}: key 'public_tests': no such file: assignments/nowhere/test_x.py",
    ),
    "module that is no name": (
        put("module", "my-module"),
        f"course.toml: assignment {FIRST}: key 'module' should be a Python name (letters, digits, _), not 'my-module'",
    ),
    "task key misspelt": (
        in_first_task("hint", ["x"]),
        f"course.toml: assignment {FIRST}, task {COURSE['assignments'][0]['tasks'][0]['name']}: "
        "unknown key 'hint' (did you mean 'hints'?)",
    ),
    "task without its function": (
        in_first_task("name", "no_such_function"),
        f"course.toml: assignment {FIRST}: task 'no_such_function' has no `def no_such_function(` in "
        f"{COURSE['assignments'][0]['solution']}",
    ),
    "reference without hidden suite": (
        drop("hidden_tests"),
        f"course.toml: assignment {FIRST}: key 'hidden_tests' is missing: a course with the solution names both "
        "(the students' copy has neither)",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_each_mistake_is_one_line_naming_the_assignment_and_the_key(case):
    """a manifest mistake raises ManifestError with exactly the expected one-line message."""
    edit, message = CASES[case]
    with pytest.raises(ManifestError) as raised:
        validate(broken(edit), MANIFEST)
    assert str(raised.value) == message
    assert "\n" not in str(raised.value)


def test_the_projects_manifest_follows_the_schema():
    """the course as checked in validates and loads."""
    validate(COURSE, MANIFEST)
    assert list(load_course()) == [entry["id"] for entry in COURSE["assignments"]]


def test_the_students_copy_without_reference_and_hidden_suite_is_valid():
    """an entry with neither solution nor hidden_tests (the release's manifest) is valid."""

    def public_only(entry):
        entry.pop("solution")
        entry.pop("hidden_tests")

    validate(broken(public_only), MANIFEST)


def test_limits_are_optional_and_default_to_the_documented_values():
    """an assignment without a limits table gets sandbox.Limits' defaults, which the schema states."""
    course = load_course()
    for entry in COURSE["assignments"]:
        given = entry.get("limits", {})
        limits = course[entry["id"]].limits
        for field in dataclasses.fields(Limits):
            assert getattr(limits, field.name) == given.get(field.name, field.default)
    assert [key.name for key in LIMITS] == [field.name for field in dataclasses.fields(Limits)]
    text = describe()
    assert all(f"(default {field.default:g})" in text for field in dataclasses.fields(Limits))


def test_the_schema_is_documented_in_authoring_md():
    """docs/authoring.md explains every key of the schema."""
    authoring = (MANIFEST.parent / "docs" / "authoring.md").read_text()

    def names(keys):
        for key in keys:
            yield key.name
            yield from names(key.keys)

    missing = [name for name in names(SCHEMA) if f"`{name}`" not in authoring]
    assert missing == []


@dataclasses.dataclass(frozen=True)
class Gallery:
    """A table a later course might add, declared the one way the schema declares keys."""

    label: str = schema_field("identifier", "a name for the gallery", required=True)
    pictures: tuple = schema_field("files", "pictures shown in it", default=())


def test_a_key_declared_on_a_dataclass_is_checked_loaded_and_described(tmp_path):
    """one schema_field declares a key: the check knows it (did you mean), build loads it, describe prints it."""
    (tmp_path / "sky.png").write_bytes(b"png")
    keys = keys_of(Gallery)
    assert describe(keys).splitlines() == [
        "label (identifier, required): a name for the gallery",
        "pictures (files, optional): pictures shown in it",
    ]
    loaded = build(Gallery, {"label": "first", "pictures": ["sky.png"]}, tmp_path)
    assert loaded == Gallery(label="first", pictures=(tmp_path / "sky.png",))
    assert build(Gallery, {"label": "first"}, tmp_path).pictures == ()
    from autograder.manifest import _check_table  # noqa: PLC0415 - the check the schema drives, on a table of its own

    with pytest.raises(ManifestError, match=r"^x.toml: unknown key 'picture' \(did you mean 'pictures'\?\)$"):
        _check_table({"label": "first", "picture": []}, keys, "x.toml:", tmp_path)
    with pytest.raises(ManifestError, match=r"^x.toml: key 'pictures': no such file: moon.png$"):
        _check_table({"label": "first", "pictures": ["moon.png"]}, keys, "x.toml:", tmp_path)


def test_every_field_of_an_assignment_is_a_key_of_the_manifest():
    """the assignment's keys are its dataclass's fields, in order; the project's entries load into them unchanged."""
    assert [key.name for key in keys_of(Assignment)] == [field.name for field in dataclasses.fields(Assignment)]
    for entry, loaded in zip(COURSE["assignments"], load_course().values(), strict=True):
        assert loaded.id == entry["id"] and loaded.title == entry["title"] and loaded.module == entry["module"]
        assert [task.hints for task in loaded.tasks] == [tuple(task.get("hints", ())) for task in entry["tasks"]]
        assert loaded.solution == MANIFEST.parent / entry["solution"]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory.mktemp("manifest") / "course")


@pytest.mark.slow
def test_a_typo_in_course_toml_stops_every_command_with_exit_2(course):
    """`hiden_tests` in the manifest: grade, release and gradescope exit 2 with the one line naming the key."""
    manifest = course / "course.toml"
    original = manifest.read_text()
    key = f'hidden_tests = "autograder/suites/{TOY}"'
    manifest.write_text(original.replace(key, key.replace("hidden_tests", "hiden_tests")))
    try:
        runs = [autograder(course, *args) for args in (["grade", TOY], ["release"], ["gradescope", TOY])]
    finally:
        manifest.write_text(original)
    expected = f"autograder: course.toml: assignment {TOY}: unknown key 'hiden_tests' (did you mean 'hidden_tests'?)"
    for done in runs:
        assert done.returncode == 2
        assert done.stderr.strip().splitlines() == [expected]


@pytest.mark.slow
def test_a_manifest_that_is_not_toml_is_one_line_too(course):
    """a syntax error in course.toml is reported in one line with its place, exit 2."""
    manifest = course / "course.toml"
    original = manifest.read_text()
    manifest.write_text(original + "\n[[assignments]\n")
    try:
        done = autograder(course, "grade", TOY)
    finally:
        manifest.write_text(original)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("autograder: course.toml: not valid TOML: ")
