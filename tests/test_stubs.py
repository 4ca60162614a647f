"""The stubs are generated from the reference and give nothing away."""

from autograder.stubs import CONFTEST, make_public_conftest, make_stub, solution_lines


def test_committed_stub_is_what_the_generator_makes(assignment):
    """the committed stub equals make_stub(reference): run `make stubs` after editing the solution."""
    expected = make_stub(assignment.solution.read_text(encoding="utf-8"), assignment)
    assert (assignment.folder / assignment.filename).read_text(encoding="utf-8") == expected


def test_committed_conftest_is_what_the_generator_makes(assignment):
    """the assignment's conftest.py for plain pytest is generated (make stubs), never written by hand."""
    assert (assignment.folder / CONFTEST).read_text(encoding="utf-8") == make_public_conftest(assignment)


def test_stub_holds_no_solution_line(assignment):
    """no line from a solution region appears in the stub, but those the README prints on purpose (the pinned API)."""
    stub = (assignment.folder / assignment.filename).read_text(encoding="utf-8")
    readme = (assignment.folder / "README.md").read_text(encoding="utf-8")
    lines = solution_lines(assignment.solution.read_text(encoding="utf-8"))
    assert [line for line in lines if line in stub and line not in readme] == []


def test_every_task_raises_not_implemented_naming_itself(assignment):
    """each task's stub raises NotImplementedError with the task's name."""
    stub = (assignment.folder / assignment.filename).read_text(encoding="utf-8")
    for task in assignment.task_names:
        assert f'raise NotImplementedError("{task}: not implemented yet")' in stub
