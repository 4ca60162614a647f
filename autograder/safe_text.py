"""Student text made safe for where it goes.

Student code chooses the words of its exceptions and everything it prints, and a
student chooses the names of their files and folders. Such text reaches a
terminal, results.json, a spreadsheet, HTML and Markdown. Each output passes it
through one function here, at the place the output is written:

    plain(text)      terminal, results.json, logs: valid Unicode (encodable as
                     UTF-8), no control code but newline and tab
    csv_cell(text)   a spreadsheet cell: plain, on one line, never read as a formula
    html(text)       HTML text: plain, then escaped
    markdown(text)   GitHub Markdown (a job summary): plain, in a code block it cannot close
    workflow_log(text)  a GitHub Actions job log: plain, and no line of it a workflow command
    json_tree(data)  every string of a JSON tree (keys too) made plain

What ``plain`` does, and why:
- terminal control sequences (ANSI CSI, OSC, DCS and the like, 7-bit and 8-bit)
  are removed whole: they can clear the screen, set the window title, write the
  clipboard (OSC 52), colour a fake score line or hide what follows;
- a carriage return becomes a newline (it could overwrite a line of the table),
  and so do the Unicode line and paragraph separators;
- every other control character, and the invisible bidirectional and
  zero-width formatting marks, are shown as escapes (``\\x07``, ``\\u202e``);
- a lone surrogate (from ``'\\ud800'``, or a file name with bytes that are not
  UTF-8) becomes U+FFFD, the replacement character.

What ``workflow_log`` adds, from the runner's own parser (actions/runner,
``ActionCommand.TryParseV2`` and ``TryParse``, fed one line at a time by
``StreamReader.ReadLine``, which ends a line at CR, LF or CR LF):
- a line whose first characters after any blanks (``TrimStart``: every Unicode
  space, tab, VT, FF, NEL, NBSP, U+2028/2029) are ``::`` is a command
  (``::error``, ``::notice``, ``::add-mask``, ``::stop-commands::TOKEN``, which
  turns off the runner's own commands until the token comes back). Its first
  colon is shown as ``\\x3a``, in ``plain``'s notation; so is that of a line
  led by invisible formatting marks, in case another runner counts them as blanks;
- the older form ``##[command]`` is read *anywhere* in a line, not only at its
  start: every ``##[`` becomes ``#\\x23[``.
Line breaks are those of ``plain`` (CR, NEL, U+2028/2029 become newlines; VT and
FF are shown as escapes), so the lines checked are the lines the runner reads.
"""

from __future__ import annotations

import html as _html
import re
import sys
import unicodedata
from typing import Any

# ESC or its 8-bit form, then the rest of the sequence a terminal would consume.
_SEQUENCE = re.compile(
    r"""
      (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?        # CSI: colours, cursor, clear
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) [^\x07\x9c\x1b\n]*    # OSC, DCS, SOS, PM, APC ...
      (?:\x07|\x9c|\x1b\\)?                                          # ... up to BEL or ST
    | \x1b [\x20-\x2f]* [\x30-\x7e]                                  # two-character escapes
    """,
    re.VERBOSE,
)
_NEWLINES = re.compile("\r\n?|[\x85\u2028\u2029]")
_SURROGATES = re.compile("[\ud800-\udfff]")
# Controls but tab and newline; DEL and C1; invisible marks that reorder or hide text.
_SHOWN_ESCAPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_ANY_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)
# A cell starting with one of these is a formula to a spreadsheet (fullwidth forms included).
_FORMULA_START = tuple("=+-@\uff1d\uff0b\uff0d\uff20")


def plain(text: object) -> str:
    """``text`` (or its str()) without terminal control, as valid Unicode; unchanged when it is already safe."""
    text = str(text)
    if not _ANY_UNSAFE.search(text):
        return text
    text = _SURROGATES.sub("\ufffd", text)
    text = _SEQUENCE.sub("", text)
    text = _NEWLINES.sub("\n", text)
    return _SHOWN_ESCAPED.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def csv_cell(text: str) -> str:
    """One spreadsheet cell: plain text on one line; a leading ``'`` keeps a formula from running."""
    text = " ".join(plain(text).split("\n")).replace("\t", " ")
    return "'" + text if text.lstrip().startswith(_FORMULA_START) else text


def html(text: str) -> str:
    """Plain text escaped for HTML (element content and quoted attributes)."""
    return _html.escape(plain(text), quote=True)


def markdown(text: str) -> str:
    """A fenced Markdown code block showing ``text`` literally (no link, image or HTML of it renders)."""
    text = plain(text)
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def workflow_log(text: str) -> str:
    """Plain text for a GitHub Actions job log, of which no line is a workflow command the runner obeys."""
    return "\n".join(_inert_log_line(line) for line in plain(text).split("\n"))


def _inert_log_line(line: str) -> str:
    line = line.replace("##[", "#\\x23[")
    lead = 0
    while lead < len(line) and (line[lead].isspace() or unicodedata.category(line[lead]) == "Cf"):
        lead += 1
    if line.startswith("::", lead):
        return line[:lead] + "\\x3a" + line[lead + 1 :]
    return line


def json_tree(data: Any) -> Any:
    """A copy of a JSON tree with every string in it, keys included, made plain."""
    if isinstance(data, str):
        return plain(data)
    if isinstance(data, dict):
        return {plain(key) if isinstance(key, str) else key: json_tree(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [json_tree(value) for value in data]
    return data


def tolerant_streams(*streams: object) -> None:
    """Let ``streams`` (default: stdout and stderr) write any text: what the encoding lacks is escaped.

    A terminal set to ASCII (``LANG=C``) must not turn a student's accented name
    into a crash of the report.
    """
    for stream in streams or (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # a stream that cannot be reconfigured keeps its rules
                continue
