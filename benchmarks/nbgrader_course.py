"""The nbgrader course the benchmark grades: the same submissions, as notebooks.

What ``nbgrader autograde`` costs on its own, running each notebook in a
Jupyter kernel: a minimal course, the whole module in one answer cell, then one
autograded test cell per task. (The project's notebook channel no longer runs
notebooks in a kernel: ``make nbgrader-grade`` grades their answers through
``grade_submission``, and its course folder refuses ``nbgrader autograde``.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ASSIGNMENT = "ch01_forward"

# The minimal course's test cells: the public checks, one cell per task.
MINIMAL_TESTS = {
    "cosine_schedule": (
        2,
        "alpha_bar = cosine_schedule(1000)\n"
        "assert alpha_bar.shape == (1001,)\n"
        "assert abs(alpha_bar[0] - 1) < 1e-12 and alpha_bar[-1] < 1e-12\n",
    ),
    "add_noise": (
        2,
        "x0 = np.linspace(-1, 1, 192).reshape(8, 8, 3)\n"
        "np.random.seed(0)\n"
        "xt, eps = add_noise(x0, 0.5)\n"
        "assert np.allclose(xt, np.sqrt(0.5) * x0 + np.sqrt(0.5) * eps)\n"
        "assert np.allclose(eps, np.random.RandomState(0).randn(8, 8, 3))\n",
    ),
    "betas_from_alpha_bar": (
        2,
        "alpha_bar = np.cos(np.linspace(0, 1, 11) * np.pi / 2) ** 2\n"
        "betas = betas_from_alpha_bar(alpha_bar)\n"
        "assert betas.shape == (10,)\n"
        "assert np.allclose(np.cumprod(1 - betas), alpha_bar[1:])\n",
    ),
    "noise_step": (
        2,
        "x = np.linspace(-1, 1, 192).reshape(8, 8, 3)\n"
        "np.random.seed(1)\n"
        "x_t, eps = noise_step(x, 0.1)\n"
        "assert np.allclose(x_t, np.sqrt(0.9) * x + np.sqrt(0.1) * eps)\n",
    ),
    "remove_noise": (
        2,
        "x0 = np.linspace(-1, 1, 192).reshape(8, 8, 3)\n"
        "eps = np.random.RandomState(2).randn(8, 8, 3)\n"
        "xt = np.sqrt(0.3) * x0 + np.sqrt(0.7) * eps\n"
        "assert np.allclose(remove_noise(xt, eps, 0.3), x0)\n",
    ),
}


def nbgrader_available() -> bool:
    try:
        import nbformat  # noqa: F401, PLC0415 - optional extra
        import nbgrader  # noqa: F401, PLC0415 - optional extra
    except ImportError:
        return False
    return True


def build_course(root: Path, submissions: dict[str, tuple[str, str]]) -> tuple[Path, str]:
    """Write and release the course, and hand in one notebook per student.

    ``submissions`` maps a student to (kind, source of forward.py); kind
    "stub" hands in the untouched release. Returns the course folder and a
    description of which course it is.
    """
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    _minimal_course(root, submissions)
    return root, "a minimal nbgrader course: one answer cell, one test cell per task, run in a kernel"


def _minimal_course(root: Path, submissions) -> None:
    import nbformat  # noqa: PLC0415 - optional extra

    (root / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(root)!r}\n", encoding="utf-8"
    )
    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    reference = next(source for kind, source in submissions.values() if kind == "reference")
    nbformat.write(_minimal_notebook(reference), root / "source" / ASSIGNMENT / "forward.ipynb")
    nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    for student, (_, source) in submissions.items():
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(_minimal_notebook(source), folder / "forward.ipynb")


def _minimal_notebook(source: str):
    from nbformat import v4  # noqa: PLC0415 - optional extra

    def cell(text, grade_id, points=None):
        meta = {
            "grade": points is not None,
            "solution": points is None,
            "locked": points is not None,
            "grade_id": grade_id,
            "schema_version": 3,
        }
        if points is not None:
            meta["points"] = points
        return v4.new_code_cell(text, metadata={"nbgrader": meta})

    cells = [cell(source, "forward")]
    cells += [cell(code, f"test_{task}", points) for task, (points, code) in MINIMAL_TESTS.items()]
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return v4.new_notebook(cells=cells, metadata={"kernelspec": kernel})


def autograde_command(student: str | None = None) -> list[str]:
    """``nbgrader autograde`` for one student, or for everyone when ``student`` is None."""
    command = [sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--create", "--force"]
    return command + (["--student", student] if student else [])


def environment() -> dict:
    """nbgrader runs ``alembic`` and Jupyter from PATH: put this interpreter's scripts first."""
    scripts = str(Path(sys.executable).parent)
    return dict(os.environ, PATH=os.pathsep.join([scripts, os.environ.get("PATH", os.defpath)]))


def nbgrader(root: Path, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=environment(),
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{done.stderr[-3000:]}")


def scores(root: Path) -> dict[str, tuple[float, float]]:
    """Each student's autograded (score, max score), read from the gradebook."""
    from nbgrader.api import Gradebook  # noqa: PLC0415 - optional extra

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as book:
        return {s.student.id: (s.score, s.max_score) for s in book.assignment_submissions(ASSIGNMENT)}
