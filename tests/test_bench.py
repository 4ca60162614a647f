"""`benchmarks/bench.py --quick` runs end to end and writes a comparable JSON record."""

import json
import subprocess
import sys

import pytest

from autograder.course import PROJECT_ROOT


@pytest.mark.slow
def test_quick_bench_writes_its_table_as_json(tmp_path):
    """a smoke run measures the reference, records machine and versions, and says what it skipped."""
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [
            sys.executable,
            str(PROJECT_ROOT / "benchmarks" / "bench.py"),
            "--quick",
            "--batch",
            "2",
            "--skip-nbgrader",
            "--workdir",
            str(tmp_path / "work"),
            "--out",
            str(out),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(out.read_text())
    single = data["single"]["autograder"]
    assert single["runs"] == 2 and 0 < single["min_s"] <= single["median_s"] <= single["max_s"]
    assert single["memory"]["process_mb"] > 0 and single["memory"]["children_mb"] > 0
    assert data["machine"]["cpus"] >= 1 and data["versions"]["numpy"]
    assert 0 < data["floor"]["min_s"] <= data["floor"]["median_s"]
    assert data["watch"]["runs"] == 3 and 0 < data["watch"]["min_s"] <= data["watch"]["max_s"]
    assert set(data["targets"]["met"]) >= {"single_vs_floor", "watch_median_s", "batch_per_second"}
    assert "nbgrader" not in data["single"]
    assert any("nbgrader rows skipped" in note for note in data["notes"])
    assert "one submission" in done.stdout and str(out) in done.stdout
