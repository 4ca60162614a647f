"""Archives are unpacked within bounds, or refused with a reason and nothing left behind or written outside."""

import io
import stat
import tarfile
import zipfile

import pytest

from autograder.channels.exports.archive import STUDENT, ArchiveRefused, Bounds, unpack


def make_zip(path, entries):
    """entries: name -> bytes, or (bytes, unix mode) for links and modes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            if isinstance(data, tuple):
                info = zipfile.ZipInfo(name)
                info.external_attr = data[1] << 16
                archive.writestr(info, data[0])
            else:
                archive.writestr(name, data)
    return path


def files_under(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_a_zip_of_a_folder_is_unpacked_with_nested_archives_opened(tmp_path):
    """A zip holding a folder and a zip inside: every file lands under the new folder."""
    inner = make_zip(tmp_path / "inner.zip", {"deep/forward.py": b"x = 1\n"})
    entries = {"hw/forward.py": b"x = 2\n", "hw/inner.zip": inner.read_bytes(), "__MACOSX/._f": b""}
    make_zip(tmp_path / "sub.zip", entries)
    out = unpack(tmp_path / "sub.zip", tmp_path / "out")
    assert files_under(out) == [
        "hw",
        "hw/forward.py",
        "hw/inner.zip.unpacked",
        "hw/inner.zip.unpacked/deep",
        "hw/inner.zip.unpacked/deep/forward.py",
    ]


@pytest.mark.parametrize("name", ["../escaped.py", "/tmp/escaped_abs.py", "a/../../escaped.py", "..\\escaped.py"])
def test_path_traversal_is_refused_and_nothing_escapes(tmp_path, name):
    """An entry naming a place outside the folder refuses the whole archive."""
    work = tmp_path / "work"
    work.mkdir()
    make_zip(tmp_path / "evil.zip", {"ok.py": b"x = 1\n", name: b"owned\n"})
    with pytest.raises(ArchiveRefused, match="points outside it"):
        unpack(tmp_path / "evil.zip", work / "out")
    assert not (work / "out").exists()
    assert files_under(tmp_path) == ["evil.zip", "work"]


def test_a_zip_bomb_is_refused_by_its_ratio(tmp_path):
    """A highly compressible entry (a zip bomb) is refused before it fills the disk."""
    make_zip(tmp_path / "bomb.zip", {"forward.py": b"\0" * (50 << 20)})
    with pytest.raises(ArchiveRefused, match="zip bomb"):
        unpack(tmp_path / "bomb.zip", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_header_that_lies_about_sizes_is_caught_while_writing(tmp_path):
    """Bytes are counted as written: a total bound holds whatever the headers say."""
    make_zip(tmp_path / "big.zip", {f"f{i}.py": bytes(range(256)) * 4096 for i in range(3)})
    with pytest.raises(ArchiveRefused, match="unpacks to more than"):
        unpack(tmp_path / "big.zip", tmp_path / "out", Bounds(total_bytes=2 << 20, ratio=10_000))


def test_links_in_zips_and_tars_are_refused(tmp_path):
    """A link entry (zip symlink, tar symlink or hard link) refuses the archive; nothing is followed."""
    make_zip(tmp_path / "link.zip", {"forward.py": (b"/etc/passwd", stat.S_IFLNK | 0o777)})
    with pytest.raises(ArchiveRefused, match="holds a link"):
        unpack(tmp_path / "link.zip", tmp_path / "out1")
    for kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
        with tarfile.open(tmp_path / f"link{kind!r}.tar", "w") as archive:
            info = tarfile.TarInfo("forward.py")
            info.type, info.linkname = kind, "/etc/passwd"
            archive.addfile(info)
        with pytest.raises(ArchiveRefused, match="holds a link"):
            unpack(tmp_path / f"link{kind!r}.tar", tmp_path / "out2")
    assert not (tmp_path / "out1").exists() and not (tmp_path / "out2").exists()


def test_deep_folders_and_deep_nesting_of_archives_are_refused(tmp_path):
    """Folders deeper than the bound, or archives inside archives beyond it, are refused."""
    make_zip(tmp_path / "deep.zip", {"/".join(["d"] * (STUDENT.depth + 1)) + "/forward.py": b"x = 1\n"})
    with pytest.raises(ArchiveRefused, match="levels deep"):
        unpack(tmp_path / "deep.zip", tmp_path / "out")
    data = b"x = 1\n"
    for level in range(STUDENT.nesting + 2):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("forward.py" if level == 0 else f"level{level}.zip", data)
        data = buffer.getvalue()
    (tmp_path / "nested.zip").write_bytes(data)
    with pytest.raises(ArchiveRefused, match="archive inside an archive"):
        unpack(tmp_path / "nested.zip", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_tar_gz_is_unpacked_and_a_device_is_refused(tmp_path):
    """A gzipped tar unpacks; a device entry is refused by name."""
    source = tmp_path / "forward.py"
    source.write_text("x = 1\n")
    with tarfile.open(tmp_path / "ok.tar.gz", "w:gz") as archive:
        archive.add(source, "hw/forward.py")
    assert files_under(unpack(tmp_path / "ok.tar.gz", tmp_path / "out")) == ["hw", "hw/forward.py"]
    with tarfile.open(tmp_path / "dev.tar", "w") as archive:
        info = tarfile.TarInfo("null")
        info.type = tarfile.CHRTYPE
        archive.addfile(info)
    with pytest.raises(ArchiveRefused, match="special file"):
        unpack(tmp_path / "dev.tar", tmp_path / "out2")


def test_a_file_named_like_an_archive_that_is_none_is_refused(tmp_path):
    """A .zip that is not one gets a reason, not a crash."""
    (tmp_path / "forward.zip").write_text("def f(): pass\n")
    with pytest.raises(ArchiveRefused, match="neither a zip nor a tar"):
        unpack(tmp_path / "forward.zip", tmp_path / "out")
