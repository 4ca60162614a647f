"""An attempt made gradable: files under their own names, archives opened, links and special files refused."""

import io
import os
import zipfile

from autograder.channels.exports.entries import Attempt
from autograder.channels.exports.stage import stage
from autograder.locate import Located


def attempt(*files):
    return Attempt("1", "Ann", tuple(files))


def test_platform_named_files_are_copied_under_their_own_names(tmp_path):
    """Canvas's prefixed files land in the attempt's folder as the student named them."""
    upload = tmp_path / "annabe_1_9_forward-1.py"
    upload.write_text("x = 1\n")
    staged = stage(attempt((upload, "forward.py")), "forward.py", tmp_path / "work", "1/attempt-2")
    assert staged == tmp_path / "work" / "1_attempt-2"
    assert [p.name for p in staged.iterdir()] == ["forward.py"]


def test_a_folder_with_the_module_is_graded_where_it_lies(tmp_path):
    """No copy when nothing needs unpacking."""
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / "forward.py").write_text("x = 1\n")
    assert stage(attempt((tmp_path / "ann", "ann")), "forward.py", tmp_path / "work", "1") == tmp_path / "ann"
    assert not (tmp_path / "work").exists()


def test_a_zip_inside_a_folder_is_opened_in_a_copy(tmp_path):
    """A folder holding submission.zip and no forward.py: its copy, with the zip unpacked, is graded."""
    (tmp_path / "ann").mkdir()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hw/forward.py", "x = 1\n")
    (tmp_path / "ann" / "submission.zip").write_bytes(buffer.getvalue())
    staged = stage(attempt((tmp_path / "ann", "ann")), "forward.py", tmp_path / "work", "1")
    assert (staged / "submission.zip.unpacked" / "hw" / "forward.py").is_file()
    assert (tmp_path / "ann" / "submission.zip").is_file()  # the export itself is left as it was


def test_links_and_pipes_are_reasons_not_crashes(tmp_path):
    """A link is never followed; a named pipe is never read (it would block): each is a reason."""
    os.symlink("/etc/passwd", tmp_path / "ann_1_9_forward.py")
    linked = stage(attempt((tmp_path / "ann_1_9_forward.py", "forward.py")), "forward.py", tmp_path / "w1", "1")
    assert linked == Located(None, "ann_1_9_forward.py is a symbolic link; hand in the folder or file itself")
    os.mkfifo(tmp_path / "bob_2_8_forward.py")
    piped = stage(attempt((tmp_path / "bob_2_8_forward.py", "forward.py")), "forward.py", tmp_path / "w2", "2")
    assert isinstance(piped, Located) and piped.path is None
    assert piped.rejected.startswith("bob_2_8_forward.py could not be copied to be graded")
