"""Small exports of each platform's layout, built from the reference, the stub and hostile files (no real students)."""

import io
import os
import shutil
import stat
import zipfile
from pathlib import Path

HOSTILE = Path(__file__).parent / "hostile"
CANVAS_ROSTER = (
    "Student,ID,SIS User ID,SIS Login ID,Section,Chapter 1 (555)\n"
    "    Points Possible,,,,,176\n"
    '"Smith, Ada",101,S101,asmith,A,\n'
    '"Jones, Bob",102,S102,bjones,A,\n'
    '"Chen, Cy",103,S103,cchen,B,\n'
    '"Dee, Di",104,S104,ddee,B,\n'
    '"Eve, Ev",105,S105,eeve,B,\n'
    '"Fay, Fi",106,S106,ffay,B,\n'
    '"Gus, Gü",107,S107,ggus,B,\n'
)
MOODLE_ROSTER = (
    "Identifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,"
    "Last modified (submission),Last modified (grade),Feedback comments\n"
    "Participant 201,Ada Byron,ada@example.edu,Submitted for grading,,176.00,Yes,"
    '"Monday, 5 January 2026, 10:00 AM",-,\n'
    "Participant 202,Bo Ring,bo@example.edu,Submitted for grading,,176.00,Yes,-,-,\n"
    "Participant 203,Cy Borg,cy@example.edu,Submitted for grading,,176.00,Yes,-,-,\n"
    "Participant 204,Dan Link,dan@example.edu,Submitted for grading,,176.00,Yes,-,-,\n"
    "Participant 205,Ed Absent,ed@example.edu,No submission,,176.00,Yes,-,-,\n"
)


def zip_bytes(entries: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def canvas(folder: Path, ch01) -> None:
    """Ada resubmits (stub, then the reference late); Bob's browser renamed his file; Cy zipped a folder;
    Di's zip climbs out of its folder; Ev's noise_step never returns; Fi handed in notes only."""
    folder.mkdir(parents=True, exist_ok=True)
    reference = ch01.solution.read_bytes()
    shutil.copyfile(ch01.folder / "forward.py", folder / "smithada_101_9001_forward.py")
    (folder / "smithada_LATE_101_9001_forward-1.py").write_bytes(reference)
    (folder / "jonesbob_102_9002_forward (1).py").write_bytes(reference)
    (folder / "chency_103_9003_hw1.zip").write_bytes(zip_bytes({"hw1/forward.py": reference}))
    (folder / "deedi_104_9004_forward.zip").write_bytes(zip_bytes({"forward.py": reference, "../../evil.py": b"x"}))
    shutil.copyfile(HOSTILE / "loop_in_call.py", folder / "eveev_105_9005_forward.py")
    (folder / "fayfi_106_9006_notes.txt").write_text("I could not do it\n")


def moodle(folder: Path, ch01) -> None:
    """Ada's folder holds Forward.py; Bo's a zip bomb; Cy's prefixed file is forward-1.py (the stub);
    Dan's forward.py is a link to the reference."""
    folder.mkdir(parents=True, exist_ok=True)
    ada = folder / "Ada Byron_201_assignsubmission_file_"
    ada.mkdir()
    shutil.copyfile(ch01.solution, ada / "Forward.py")
    bo = folder / "Bo Ring_202_assignsubmission_file_"
    bo.mkdir()
    (bo / "submission.zip").write_bytes(zip_bytes({"forward.py": b"\0" * (40 << 20)}))
    shutil.copyfile(ch01.folder / "forward.py", folder / "Cy Borg_203_assignsubmission_file_forward-1.py")
    dan = folder / "Dan Link_204_assignsubmission_file_"
    dan.mkdir()
    os.symlink(ch01.solution, dan / "forward.py")


def blackboard(folder: Path, ch01) -> None:
    """Ada: the stub, then the reference a day later; Bob: one late attempt of the reference, with receipts."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ch01.folder / "forward.py", folder / "Chapter 1_ada_attempt_2026-01-02-10-00-00_forward.py")
    shutil.copyfile(ch01.solution, folder / "Chapter 1_ada_attempt_2026-01-03-10-00-00_forward.py")
    (folder / "Chapter 1_ada_attempt_2026-01-03-10-00-00.txt").write_text("Name: Ada Lovelace (ada)\n")
    shutil.copyfile(ch01.solution, folder / "Chapter 1_bob_attempt_2026-01-09-10-00-00_LATE_forward.py")


GRADESCOPE_METADATA = """\
submission_1:
  :submitters:
  - :name: Ada Lovelace
    :sid: 'A1'
    :email: ada@example.edu
  - :name: Bob Babbage
    :sid: 'B2'
    :email: bob@example.edu
  :created_at: 2026-01-02 10:00:00.000000000 -08:00
submission_2:
  :submitters:
  - :name: Cy Young
    :sid: 'C3'
    :email: cy@example.edu
  :created_at: 2026-01-03 10:00:00.000000000 -08:00
"""


def gradescope(folder: Path, ch01) -> None:
    """Ada and Bob handed in one group submission (the reference); Cy's upload has a syntax error."""
    (folder / "submission_1").mkdir(parents=True)
    (folder / "submission_2").mkdir()
    (folder / "submission_metadata.yml").write_text(GRADESCOPE_METADATA)
    shutil.copyfile(ch01.solution, folder / "submission_1" / "forward.py")
    (folder / "submission_2" / "forward.py").write_text("def cosine_schedule(T=1000:\n    pass\n")


def classroom(folder: Path, ch01) -> None:
    """Two cloned repositories: ada's holds the reference in src/, bob's the stub."""
    for user, source in (("ada", ch01.solution), ("bob", ch01.folder / "forward.py")):
        repo = folder / f"ch01-forward-{user}"
        (repo / ".git").mkdir(parents=True)
        (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
        (repo / "src").mkdir()
        shutil.copyfile(source, repo / "src" / "forward.py")


def listing(folder: Path) -> list[str]:
    """Every path under ``folder`` (links not followed), to show nothing was written outside OUT."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if not stat.S_ISDIR(p.lstat().st_mode))
