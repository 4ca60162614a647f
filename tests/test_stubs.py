"""The stubs are generated from the reference and give nothing away."""

from autograder.stubs import make_stub, solution_lines


def test_committed_stub_is_what_the_generator_makes(ch01):
    """the committed forward.py equals make_stub(reference): run `make stubs` after editing the solution."""
    expected = make_stub(ch01.solution.read_text(encoding="utf-8"), ch01)
    assert (ch01.folder / ch01.filename).read_text(encoding="utf-8") == expected


def test_stub_holds_no_solution_line(ch01):
    """no line from a solution region appears in the stub."""
    stub = (ch01.folder / ch01.filename).read_text(encoding="utf-8")
    leaked = [line for line in solution_lines(ch01.solution.read_text(encoding="utf-8")) if line in stub]
    assert leaked == []


def test_every_task_raises_not_implemented_naming_itself(ch01):
    """each task's stub raises NotImplementedError with the task's name."""
    stub = (ch01.folder / ch01.filename).read_text(encoding="utf-8")
    for task in ch01.task_names:
        assert f'raise NotImplementedError("{task}: not implemented yet")' in stub
