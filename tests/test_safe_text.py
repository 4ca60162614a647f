"""Student text made safe for the terminal, JSON, spreadsheets, HTML and Markdown."""

import io
import itertools
import json
import re

import pytest
from classroom_reporter import runner_obeys

from autograder.safe_text import csv_cell, html, json_tree, markdown, plain, tolerant_streams, workflow_log

# Every byte a terminal acts on: C0 controls but tab and newline, DEL, and C1 (as characters).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ATTACKS = [
    "\x1b[2J\x1b[H",  # clear the screen, cursor home
    "\x1b]0;graded: full marks\x07",  # window title
    "\x1b]52;c;cm0gLXJmIH4=\x07",  # OSC 52: write the clipboard
    "\x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\",  # hyperlink, ST-terminated
    "\x1b[1;32m123 / 123 points\x1b[0m",  # a fake green score
    "\x1b[8mhidden",  # conceal
    "\x9b2J\x9d0;title\x9c",  # 8-bit CSI and OSC
    "\x1bP+q544e\x1b\\",  # DCS query
    "\x1b(0\x1b7\x1b8",  # charset, save and restore cursor
]
CUT = ["half\x1b[", "unterminated \x1b]0;title", "\x1b", "\x9b"]


@pytest.mark.parametrize("attack", ATTACKS)
def test_plain_leaves_no_byte_a_terminal_acts_on(attack):
    """escape sequences (7-bit and 8-bit, cut or unterminated) leave no control character behind."""
    cleaned = plain(f"before {attack} after")
    assert CONTROL.search(cleaned) is None
    assert cleaned.startswith("before ") and cleaned.endswith(" after")


@pytest.mark.parametrize("attack", CUT)
def test_plain_handles_sequences_cut_short(attack):
    """a sequence cut short (by truncation, or on purpose) leaves no control character either."""
    cleaned = plain(f"before {attack} after")
    assert CONTROL.search(cleaned) is None and cleaned.startswith("before ")


def test_plain_keeps_the_words_and_drops_the_sequences():
    """the visible text of a coloured line stays; the codes around it go."""
    assert plain("\x1b[1;32mch01_forward: 123 / 123 points\x1b[0m") == "ch01_forward: 123 / 123 points"
    assert plain("\x1b]52;c;cm0gLXJmIH4=\x07ok") == "ok"


def test_plain_turns_carriage_returns_into_newlines():
    """a carriage return cannot overwrite the start of a line: it becomes a line break."""
    assert plain("50%\r100%\r\ndone\u2028x") == "50%\n100%\ndone\nx"


def test_plain_shows_other_controls_and_invisible_marks_as_escapes():
    """a bell, backspaces and a right-to-left override are shown, not obeyed."""
    assert plain("a\x07b\b\x00\u202ec\u200b") == "a\\x07b\\x08\\x00\\u202ec\\u200b"


def test_plain_replaces_lone_surrogates_and_is_always_encodable():
    """lone surrogates (an exception message, an undecodable file name) become U+FFFD; UTF-8 never fails."""
    cleaned = plain("bad \ud800 name caf\udce9")
    assert cleaned == "bad \ufffd name caf\ufffd"
    cleaned.encode("utf-8")


def test_plain_leaves_safe_text_alone_and_is_idempotent():
    """ordinary text (accents, emoji, tabs, newlines) is unchanged, and cleaning twice changes nothing."""
    text = "Zoë's x₀ is 0.5 ✓\tok\n  next line 👩‍💻"
    assert plain(text) == text
    for attack in ATTACKS + CUT:
        assert plain(plain(attack)) == plain(attack)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\uff1d"])
def test_csv_cell_never_starts_a_formula(start):
    """a cell starting with = + - @ (or a fullwidth =) gets a leading quote, so no spreadsheet runs it."""
    cell = csv_cell(f'{start}HYPERLINK("http://evil","click")')
    assert cell.startswith("'")
    assert csv_cell("s01_ada") == "s01_ada"


def test_csv_cell_is_one_line_of_plain_text():
    """a cell has no line break, tab or control code; a formula behind leading blanks is caught too."""
    assert csv_cell("first\nsecond\tthird\x1b[2J") == "first second third"
    assert csv_cell("\r=cmd|' /C calc'!A0") == "' =cmd|' /C calc'!A0"
    assert csv_cell("  @SUM(A1)") == "'  @SUM(A1)"


def test_html_escapes_markup_after_cleaning():
    """markup is escaped and terminal control removed."""
    assert html('<img src=x onerror="alert(1)">\x1b[31m') == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"


def test_markdown_code_block_cannot_be_closed_from_inside():
    """the fence is longer than any run of backticks in the text, so the text stays literal."""
    block = markdown("```\n</details><img src=x>\n````")
    fence = block.splitlines()[0].removesuffix("text")
    assert len(fence) == 5 and block.endswith("\n" + fence)
    assert block.count(fence) == 2


def test_json_tree_cleans_every_string_keys_included():
    """nested strings and keys are cleaned; numbers and None are kept; the result dumps as UTF-8."""
    tree = {"out\x1b[2J": ["a\ud800", {"b": "\x07"}], "n": 1.5, "none": None}
    cleaned = json_tree(tree)
    assert cleaned == {"out": ["a\ufffd", {"b": "\\x07"}], "n": 1.5, "none": None}
    json.dumps(cleaned, ensure_ascii=False).encode("utf-8")


def test_tolerant_streams_escape_what_the_encoding_lacks():
    """a stream in ASCII writes a student's accented name as an escape instead of raising."""
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    tolerant_streams(stream)
    stream.write("Zoë\n")
    stream.flush()
    assert raw.getvalue() == b"Zo\\xeb\n"


WORKFLOW_COMMANDS = [
    "::error title=Autograding complete::all checks passed",
    "::notice title=Autograding complete::Points 176/176",
    "::stop-commands::TOKEN",
    "::add-mask::Points",
    "::set-output name=addnoise::eyJ2ZXJzaW9uIjogMX0=",
    "::group::fake group",
    "::ERROR::upper case",
    "##[error]all checks passed",
    "##[stop-commands]TOKEN",
    "##[set-output name=x;]y",
]
LEADS = ["", "  ", "\t", "\xa0", "\u3000", "\u2003", "\u200b", "\ufeff", "\x1b[31m", "\x1b]0;t\x07 "]
BREAKS = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1e"]


def test_the_model_of_the_runner_sees_every_attack_unprotected():
    """each hostile string, fed raw, is a command to the model of the runner (so the next test means something)."""
    for command, lead, brk in itertools.product(WORKFLOW_COMMANDS, LEADS[:8], BREAKS):
        assert runner_obeys(f"ok{brk}{lead}{command}"), (command, lead, brk)


@pytest.mark.parametrize("command", WORKFLOW_COMMANDS)
def test_workflow_log_leaves_no_line_the_runner_obeys(command):
    """a command after any line break, blank, invisible mark or escape sequence is shown, never obeyed."""
    for lead, brk in itertools.product(LEADS, BREAKS):
        text = f"checks failed{brk}{lead}{command}{brk}{lead}  {command} tail ##[warning]x"
        logged = workflow_log(text)
        assert runner_obeys(logged) == [], (lead, brk, logged)
        assert CONTROL.search(logged) is None
        assert command.split("::")[-1].split("]")[-1] in logged  # the student's words stay readable


def test_workflow_log_changes_ordinary_text_in_nothing():
    """colons, hashes and brackets that form no command are kept as they are."""
    text = "shape (3,) :: expected\n## not a heading\n[x] #[y] a::b\nline 15, in <module>: if a.ndim == 1"
    assert workflow_log(text) == text
    assert workflow_log(workflow_log("::error::x")) == workflow_log("::error::x") == "\\x3a:error::x"
    assert workflow_log("  ##[error]x") == "  #\\x23[error]x"


SUMMARY_ATTACKS = [
    '<img src=x onerror="alert(1)">',
    "[all checks passed](https://example.com)",
    "![badge](https://example.com/full-marks.svg)",
    "@github-classroom please regrade #1",
    "```\n# 176 / 176 points\n```",
    "````` closing? `````",
    "~~~\n</details>\n<details open><summary>fake</summary>",
    "<!-- hide the rest",
    "    indented code\n\n| a | table |\n| - | - |",
]


@pytest.mark.parametrize("attack", SUMMARY_ATTACKS)
def test_markdown_keeps_every_line_inside_one_fence(attack):
    """HTML, links, images, mentions, fences and tables are all inside one fenced block no line of them closes."""
    block = markdown(f"before\n{attack}\nafter").split("\n")
    fence = block[0].removesuffix("text")
    assert set(fence) == {"`"} and block[-1] == fence
    inside = block[1:-1]
    assert inside == plain(f"before\n{attack}\nafter").split("\n")
    assert not [line for line in inside if re.fullmatch(rf" {{0,3}}`{{{len(fence)},}}\s*", line)]
