"""Wrong versions of the Chapter 1 reference, made by editing its text, for the shipping tests."""

from pathlib import Path

# name -> (a line of the reference, what a student wrote instead)
EDITS = {
    "variance_weights": ("xt = np.sqrt(a) * x0 + np.sqrt(1 - a) * eps", "xt = a * x0 + (1 - a) * eps"),
    "fencepost": ("s = np.linspace(0.0, 1.0, T + 1)", "s = np.linspace(0.0, 1.0, T)"),
    "last_axis": ("a = _per_sample(alpha_bar_t, x0.ndim)", "a = np.asarray(alpha_bar_t, dtype=np.float64)"),
}


def wrong_source(reference: Path, name: str) -> str:
    """The reference with one mistake a student could make."""
    source = reference.read_text(encoding="utf-8")
    line, instead = EDITS[name]
    assert source.count(line) == 1, f"the reference no longer has {line!r}; update EDITS"
    return source.replace(line, instead)


def write_wrong(reference: Path, name: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(wrong_source(reference, name), encoding="utf-8")
    return target
