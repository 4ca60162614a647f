"""Student text made safe for the terminal, JSON, spreadsheets, HTML and Markdown."""

import io
import json
import re

import pytest

from autograder.safe_text import csv_cell, html, json_tree, markdown, plain, tolerant_streams

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
