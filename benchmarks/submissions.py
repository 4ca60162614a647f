"""The submissions the benchmark grades: the reference and a few typical wrong ones.

Wrong ones are the reference with one mistake a student makes (the same mistakes
the hidden checks name), plus the untouched stub and a file that does not import,
so the batch exercises the failing paths as well as the passing one.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "solutions" / "ch01_forward" / "forward.py"
STUB = ROOT / "assignments" / "ch01_forward" / "forward.py"

# name -> (text in the reference, what a student wrote instead)
MISTAKES = {
    "variances": ("xt = np.sqrt(a) * x0 + np.sqrt(1 - a) * eps", "xt = a * x0 + (1 - a) * eps"),
    "t_levels": ("np.linspace(0.0, 1.0, T + 1)", "np.linspace(0.0, 1.0, T)"),
    "inverted_ratio": ("1 - alpha_bar[1:] / alpha_bar[:-1]", "1 - alpha_bar[:-1] / alpha_bar[1:]"),
}


def variants() -> dict[str, str]:
    """Source text of every kind of submission, by name."""
    reference = REFERENCE.read_text(encoding="utf-8")
    sources = {
        "reference": reference,
        "stub": STUB.read_text(encoding="utf-8"),
        "no_import": "import numpy_not_installed_anywhere\n" + reference,
    }
    for name, (right, wrong) in MISTAKES.items():
        if right not in reference:
            raise ValueError(f"the reference changed: {right!r} is gone, update benchmarks/submissions.py")
        sources[name] = reference.replace(right, wrong)
    return sources


def batch(count: int) -> list[tuple[str, str]]:
    """``count`` (student, kind) pairs: about half reference copies, the rest wrong ones in turn."""
    wrong = [name for name in variants() if name != "reference"]
    kinds = []
    for index in range(count):
        kinds.append("reference" if index % 2 == 0 else wrong[(index // 2) % len(wrong)])
    return [(f"student{index:03d}", kind) for index, kind in enumerate(kinds)]


def write_folders(folder: Path, pairs: list[tuple[str, str]], filename: str = "forward.py") -> list[Path]:
    """One folder per student holding their file; returns the folders."""
    sources = variants()
    folders = []
    for student, kind in pairs:
        path = folder / student / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sources[kind], encoding="utf-8")
        folders.append(path.parent)
    return folders
