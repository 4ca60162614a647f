"""class_report.html: what the class got wrong, for planning the next lecture. One file, no network.

The page holds the score distribution, each check's pass rate among the students
graded, every misconception the checks named with how many students made it and
which ones ("3 of 25: <the mistake>"), and every student whose row needs a look
(not graded cleanly, late, no submission). Misconceptions are read from the
checks' feedback: a check that recognises a known wrong version says
"This looks like a known mistake: <what it is>." (the suites' misconceptions
modules). All text from students (names, ids, feedback quoting their code) is
escaped; the page runs no script.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from autograder.channels.exports.rows import Row
from autograder.safe_text import html as safe_html

KNOWN_MISTAKE = re.compile(r"This looks like a known mistake: (?P<what>.+?)\.?\s*$", re.MULTILINE)
BINS = 10

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 62em; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; } td, th { padding: .25em .5em; text-align: left; vertical-align: top; }
tr:nth-child(even) { background: #f4f4f4; } .num { text-align: right; white-space: nowrap; }
.bar { background: #4878a8; height: .8em; display: inline-block; } .low { background: #c8553d; }
.mistake { margin: .6em 0; } .count { font-weight: bold; } .who { color: #555; font-size: .9em; }
svg text { font-size: 11px; fill: #333; }
"""


def misconceptions(rows: list[Row]) -> dict[str, list[str]]:
    """Each named mistake -> the students who made it (by name, else id), most common first.

    Checks of one task may word one mistake differently (the public and the hidden
    suite each name it): wordings of one task seen in exactly the same students are
    one mistake, shown as "first wording (also: other wording)".
    """
    seen: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        found = {
            (test.task, m["what"])
            for test in row.report.tests
            if not test.passed
            for m in KNOWN_MISTAKE.finditer(test.output)
        }
        for key in sorted(found):
            seen.setdefault(key, []).append(_who(row))
    merged: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for (task, what), who in seen.items():
        merged.setdefault((task, tuple(sorted(who))), []).append(what)
    named = {
        words[0] + (f" (also: {'; '.join(words[1:])})" if len(words) > 1 else ""): list(who)
        for (_, who), words in merged.items()
    }
    return dict(sorted(named.items(), key=lambda item: (-len(item[1]), item[0])))


def pass_rates(rows: list[Row]) -> list[tuple[str, str, int, int]]:
    """(task, check, passed, graded) per check, over the students whose code was graded and earned some points
    (as summary.png counts: those with none fail everything, often not having started); least passed first."""
    passed: Counter[tuple[str, str]] = Counter()
    graded: Counter[tuple[str, str]] = Counter()
    for row in rows:
        if row.status != "graded" or row.report.score <= 0:
            continue
        for test in row.report.tests:
            graded[(test.task, test.name)] += 1
            passed[(test.task, test.name)] += test.passed
    return sorted(
        ((task, name, passed[(task, name)], n) for (task, name), n in graded.items()),
        key=lambda item: (item[2] / item[3], item[0], item[1]),
    )


def histogram(rows: list[Row], top: float) -> list[int]:
    counts = [0] * BINS
    for row in rows:
        index = min(BINS - 1, int(BINS * row.report.score / top)) if top > 0 else 0
        counts[index] += 1
    return counts


def write_class_report(rows: list[Row], title: str, top: float, path: Path) -> None:
    path.write_text(render(rows, title, top), encoding="utf-8")


def render(rows: list[Row], title: str, top: float) -> str:
    handed_in = [row for row in rows if row.status != "no submission"]
    scores = sorted(row.report.score for row in handed_in)
    median = scores[len(scores) // 2] if scores else 0
    full = sum(score >= top > 0 for score in scores)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{_e(title)}: class report</title><style>{STYLE}</style></head><body>",
        f"<h1>{_e(title)}: class report</h1>",
        f"<p id='overview'><span id='students'>{len(rows)}</span> students, "
        f"<span id='handed-in'>{len(handed_in)}</span> handed in; median <span id='median'>{median:g}</span> "
        f"of {top:g} points; <span id='full-marks'>{full}</span> with full marks.</p>",
        _histogram_svg(handed_in, top),
        _mistakes_html(misconceptions(handed_in), len(handed_in)),
        _checks_html(pass_rates(handed_in)),
        _attention_html(rows),
        "</body></html>",
    ]
    return "\n".join(parts)


def _histogram_svg(rows: list[Row], top: float) -> str:
    counts = histogram(rows, top)
    most = max([*counts, 1])
    width, height, bar, base = 600, 195, 600 // BINS, 165
    items = []
    for i, count in enumerate(counts):
        h = round(140 * count / most)
        low, high = top * i / BINS, top * (i + 1) / BINS
        label = f"{low:g} to {high:g}" + (" points (full marks included)" if i == BINS - 1 else " points")
        items.append(
            f"<g class='bin' data-count='{count}'><title>{count} students: {label}</title>"
            f"<rect x='{i * bar + 2}' y='{base - h}' width='{bar - 4}' height='{h}' fill='#4878a8'/>"
            f"<text x='{i * bar + bar / 2}' y='{base - h - 5}' text-anchor='middle'>{count}</text>"
            f"<text x='{i * bar + bar / 2}' y='{base + 18}' text-anchor='middle'>{low:.0f}-{high:.0f}</text></g>"
        )
    return (
        f"<h2>Score distribution</h2><svg id='histogram' width='{width}' height='{height}' role='img' "
        f"aria-label='students per score range'>{''.join(items)}</svg>"
    )


def _mistakes_html(found: dict[str, list[str]], total: int) -> str:
    if not found:
        return "<h2>Misconceptions</h2><p id='no-mistakes'>No check recognised a known mistake.</p>"
    items = [
        f"<li class='mistake'><span class='count'>{len(who)} of {total}</span>: {_e(what)}"
        f"<div class='who'>{_e(', '.join(sorted(who)))}</div></li>"
        for what, who in found.items()
    ]
    return "<h2>Misconceptions</h2><ul id='mistakes'>" + "".join(items) + "</ul>"


def _checks_html(rates: list[tuple[str, str, int, int]]) -> str:
    """The checks some graded student failed, in a table; those everyone passed, folded away below it."""
    lines = []
    everyone = [(task, name) for task, name, passed, graded in rates if passed == graded]
    for task, name, passed, graded in rates:
        if passed == graded:
            continue
        share = passed / graded
        lines.append(
            f"<tr class='check' data-passed='{passed}' data-graded='{graded}'><td>{_e(task)}</td>"
            f"<td>{_e(name.removeprefix(task + ': '))}</td><td class='num'>{passed} of {graded}</td>"
            f"<td class='num'><span class='bar{' low' if share < 0.5 else ''}' "
            f"style='width:{round(120 * share)}px'></span> {100 * share:.0f}%</td></tr>"
        )
    passed_by_all = "".join(f"<li>{_e(task)}: {_e(name.removeprefix(task + ': '))}</li>" for task, name in everyone)
    return (
        "<h2>Pass rate of each check</h2><p>Checks failed by some of the students whose code was graded and "
        "earned points, least passed first.</p>"
        "<table id='checks'><tr><th>task</th><th>check</th><th>passed</th><th></th></tr>"
        + "".join(lines)
        + "</table>"
        + f"<details id='passed-by-all'><summary>{len(everyone)} more checks passed by every graded student"
        f"</summary><ul>{passed_by_all}</ul></details>"
    )


def _attention_html(rows: list[Row]) -> str:
    flagged = [row for row in rows if row.status != "graded" or row.reason or row.late]
    lines = [
        f"<tr class='flagged'><td>{_e(_who(row))}</td><td>{_e(row.status)}</td>"
        f"<td class='num'>{row.report.score:g}</td><td>{'late; ' if row.late else ''}{_e(row.reason)}</td></tr>"
        for row in flagged
    ]
    return (
        f"<h2>Students to look at ({len(flagged)})</h2>"
        "<table id='attention'><tr><th>student</th><th>status</th><th>points</th><th>why</th></tr>"
        + "".join(lines)
        + "</table>"
    )


def _who(row: Row) -> str:
    student = row.student
    return f"{student.name} ({student.key})" if student.name and student.name != student.key else student.key


def _e(text: object) -> str:
    """Student-made text (names, reasons, messages) as inert, valid HTML: no markup, no lone surrogate."""
    return safe_html(str(text))
