"""locate never raises on a tree a student can make: any depth, loops of links, any number of files."""

from __future__ import annotations

import os
import shutil

import pytest

from autograder import locate
from autograder.locate import MAX_DEPTH, locate_submission


@pytest.fixture
def deep(tmp_path, ch01):
    """make(levels, at=None): ``levels`` nested folders under tmp_path/sub, forward.py at level ``at``.

    Created and removed without recursion (shutil.rmtree itself recurses and
    would fail on them).
    """
    root = tmp_path / "sub"
    root.mkdir()
    made = []
    solution = ch01.solution.read_text()

    def make(levels, at=None):
        handle = os.open(root, os.O_RDONLY)
        for level in range(levels + 1):
            if level == at:
                with open(os.open("forward.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=handle), "w") as out:
                    out.write(solution)
            if level < levels:
                os.mkdir("d", dir_fd=handle)
                inner = os.open("d", os.O_RDONLY, dir_fd=handle)
                os.close(handle)
                handle = inner
        os.close(handle)
        made.append(levels)
        return root

    yield make
    for levels in made:
        handles = [os.open(root, os.O_RDONLY)]
        for _ in range(levels):
            handles.append(os.open("d", os.O_RDONLY, dir_fd=handles[-1]))
        for parent, child in zip(reversed(handles[:-1]), reversed(handles[1:]), strict=True):
            os.close(child)
            for name in os.listdir(parent):
                if name != "d":
                    os.unlink(name, dir_fd=parent)
            os.rmdir("d", dir_fd=parent)
        os.close(handles[0])


@pytest.mark.slow
def test_a_folder_1500_levels_deep_is_searched_without_crashing(deep, grade):
    """forward.py at the top of a 1500-level tree is found and graded with full marks."""
    root = deep(1500, at=0)
    located = locate_submission(root, "forward.py")
    assert located.path == root.resolve() / "forward.py" and located.rejected is None
    report = grade(root, suites=("public",))
    assert report.score == report.max_score > 0


def test_a_file_below_the_depth_bound_is_not_found_and_the_reason_says_so(deep):
    """forward.py deeper than MAX_DEPTH levels: 0 points, the reason names the bound."""
    located = locate_submission(deep(MAX_DEPTH + 5, at=MAX_DEPTH + 2), "forward.py")
    assert located.path is None
    assert located.rejected == (
        f"the submission holds no file named forward.py within {MAX_DEPTH} folder levels "
        f"(the folder goes deeper and was not searched further)"
    )


def test_a_file_within_the_depth_bound_is_found(deep):
    """forward.py a few levels down in a deep tree is found."""
    root = deep(MAX_DEPTH + 5, at=5)
    assert locate_submission(root, "forward.py").path == root.resolve().joinpath(*["d"] * 5, "forward.py")


def test_loops_of_links_are_not_followed(tmp_path, ch01):
    """links to the folder itself and to its parent are not entered: one forward.py, found once."""
    shutil.copyfile(ch01.solution, tmp_path / "forward.py")
    (tmp_path / "loop").symlink_to(tmp_path)
    (tmp_path / "up").symlink_to("..")
    (tmp_path / "self.py").symlink_to("self.py")
    located = locate_submission(tmp_path, "forward.py")
    assert located.path == tmp_path.resolve() / "forward.py" and located.rejected is None


def test_a_forward_py_that_is_a_loop_of_links_is_rejected(tmp_path):
    """forward.py linking to itself gets 0 with a reason, not an error."""
    (tmp_path / "forward.py").symlink_to("forward.py")
    located = locate_submission(tmp_path, "forward.py")
    assert located.path is None and "link" in located.rejected


def test_huge_fan_out_is_bounded_and_the_reason_says_so(tmp_path, monkeypatch):
    """a folder with more entries than MAX_ENTRIES is searched up to the bound; the reason says so."""
    monkeypatch.setattr(locate, "MAX_ENTRIES", 100)
    for i in range(150):
        (tmp_path / f"f{i:03d}.txt").touch()
    located = locate_submission(tmp_path, "forward.py")
    assert located.path is None
    assert located.rejected == (
        "the submission holds no file named forward.py among the first 100 entries searched (the folder holds more)"
    )


def test_names_too_long_for_the_system_are_passed_over(tmp_path, ch01, monkeypatch):
    """a tree whose paths grow past the system's limit (4096 bytes) is searched as far as it can be."""
    shutil.copyfile(ch01.solution, tmp_path / "forward.py")
    handle = os.open(tmp_path, os.O_RDONLY)
    for _ in range(25):  # 25 x 250 bytes: far past PATH_MAX
        os.mkdir("x" * 250, dir_fd=handle)
        inner = os.open("x" * 250, os.O_RDONLY, dir_fd=handle)
        os.close(handle)
        handle = inner
    os.close(handle)
    located = locate_submission(tmp_path, "forward.py")
    assert located.path == tmp_path.resolve() / "forward.py"
    monkeypatch.chdir(tmp_path)  # removing such a tree needs relative paths
    remove_chain("x" * 250)


def remove_chain(top: str) -> None:
    """Remove a chain of folders named ``top`` from the working folder, innermost first, without long paths."""
    depth = 0
    while os.path.isdir(top):
        os.chdir(top)
        depth += 1
    for _ in range(depth):
        os.chdir("..")
        os.rmdir(top)
