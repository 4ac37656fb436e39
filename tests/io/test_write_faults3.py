"""Faults of issue 22: a workbook open in LibreOffice or OnlyOffice, a full disk or a
read-only file system during `--in-place`, a read-only workbook, names too long for the
disk. Each leaves every file — input, output, backup — as it was, and says why in French."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from allot_xl import api
from allot_xl.cli import main
from allot_xl.core.problems import AllotError, WriteError, system_message

DATA = Path(__file__).resolve().parents[1] / "data"
ENGLISH = ("No space", "Permission denied", "Read-only", "File name too long", "Not a directory",
           "No such file", "Traceback")


def _snapshot(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir()) if p.is_file()}


def _workbook(d: Path, name: str = "besoins.xlsx") -> Path:
    d.mkdir(parents=True, exist_ok=True)
    path = d / name
    shutil.copy(DATA / "A1_petit.xlsx", path)
    path.chmod(0o644)
    return path


def _french(err: str) -> None:
    assert err.startswith("Erreur : ") and not any(w in err for w in ENGLISH), err


# --------------------------------------------------------------------------- owner files


@pytest.mark.parametrize("owner", [".~lock.{}#", "~${}"])
@pytest.mark.parametrize("in_place", [True, False])
def test_a_workbook_open_in_a_spreadsheet_program_is_never_rewritten(tmp_path, owner,
                                                                     in_place, capsys) -> None:
    src = _workbook(tmp_path / "d")
    dst = src if in_place else src.with_name("sortie.xlsx")
    if not in_place:
        shutil.copy(src, dst)  # an earlier output, open in LibreOffice
    (src.parent / owner.format(dst.name)).write_text("verrou")
    before = _snapshot(src.parent)
    args = ["regenerate", str(src), *(["--in-place"] if in_place else ["-o", str(dst)])]
    assert main(args) == 2
    err = capsys.readouterr().err
    _french(err)
    program = "LibreOffice ou OnlyOffice" if owner.startswith(".~lock") else "Excel"
    assert f"ouvert dans {program}" in err and dst.name in err
    assert _snapshot(src.parent) == before


def test_the_backup_open_elsewhere_is_refused_too(tmp_path) -> None:
    src = _workbook(tmp_path / "d")
    shutil.copy(src, api.backup_path(src))
    (src.parent / f".~lock.{api.backup_path(src).name}#").write_text("verrou")
    before = _snapshot(src.parent)
    with pytest.raises(AllotError, match="besoins.bak.xlsx"):
        api.regenerate(src, in_place=True)
    assert _snapshot(src.parent) == before


# --------------------------------------------------------------------------- read-only input


@pytest.mark.parametrize("mode", [0o444, 0o400])
def test_a_read_only_workbook_is_refused_for_in_place(tmp_path, mode, capsys) -> None:
    src = _workbook(tmp_path / "d")
    src.chmod(mode)
    before = _snapshot(src.parent)
    try:
        assert main(["regenerate", str(src), "--in-place"]) == 2
    finally:
        src.chmod(0o644)
    err = capsys.readouterr().err
    _french(err)
    assert "protégé en écriture" in err and "besoins.xlsx" in err
    assert _snapshot(src.parent) == before
    # another destination is fine: the input is only read
    assert main(["regenerate", str(src), "-q"]) == 0


# --------------------------------------------------------------------------- full disk


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A tmpfs of 256 KiB mounted for the test (root only)."""
    if os.geteuid() != 0:
        pytest.skip("monter un tmpfs demande les droits root")
    mnt = tmp_path / "petit"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)]
                      ).returncode:
        pytest.skip("tmpfs impossible à monter ici")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)])


def _fill(d: Path, leave: int) -> None:
    """Fill the file system of `d` so that about `leave` bytes stay free."""
    st = os.statvfs(d)
    free = st.f_bavail * st.f_frsize
    (d / "remplissage.bin").write_bytes(b"\0" * max(0, free - leave))


@pytest.mark.parametrize("leave", [4096, 32 * 1024])
def test_disk_full_during_in_place_leaves_workbook_and_backup_as_they_were(
        small_disk, leave, capsys) -> None:
    src = _workbook(small_disk)
    shutil.copy(DATA / "07_merged_two_row_header.xlsx", api.backup_path(src))  # older backup
    _fill(small_disk, leave)  # room for the backup copy (32 KiB), not for the new workbook
    before = _snapshot(small_disk)
    assert main(["regenerate", str(src), "--in-place", "-q"]) == 2
    err = capsys.readouterr().err
    _french(err)
    assert "Disque plein" in err
    assert _snapshot(small_disk) == before  # input, previous backup, nothing else


def test_read_only_file_system_leaves_every_file(small_disk, capsys) -> None:
    src = _workbook(small_disk)
    shutil.copy(DATA / "07_merged_two_row_header.xlsx", api.backup_path(src))
    before = _snapshot(small_disk)
    assert subprocess.run(["mount", "-o", "remount,ro", str(small_disk)]).returncode == 0
    assert main(["regenerate", str(src), "--in-place", "-q"]) == 2
    assert main(["regenerate", str(src), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("Erreur : ") == 2 and not any(w in err for w in ENGLISH), err
    assert _snapshot(small_disk) == before


def test_in_place_still_keeps_the_workbook_it_read(tmp_path) -> None:
    src = _workbook(tmp_path / "d")
    original = src.read_bytes()
    shutil.copy(DATA / "07_merged_two_row_header.xlsx", api.backup_path(src))
    api.regenerate(src, in_place=True)
    assert api.backup_path(src).read_bytes() == original and src.read_bytes() != original


# --------------------------------------------------------------------------- long names


def test_a_long_input_name_gets_a_shortened_default_output(tmp_path, capsys) -> None:
    stem = "Recensement des besoins de formation " * 7
    name = (stem[:240 - len(".xlsx")] + "é").encode()[:240].decode(errors="ignore") + ".xlsx"
    assert len(os.fsencode(name)) <= 245
    src = _workbook(tmp_path / "d", name)
    assert main(["regenerate", str(src)]) == 0
    out = capsys.readouterr().out
    assert "Nom de sortie raccourci" in out
    written = [p for p in src.parent.iterdir() if p != src]
    assert len(written) == 1 and written[0].name.endswith("….lots.xlsx")
    assert len(os.fsencode(written[0].name)) <= 245
    assert main(["regenerate", str(src), "--in-place", "-q"]) == 0
    assert api.backup_path(src).exists()


def test_a_name_too_long_for_the_disk_is_said_in_french(tmp_path, capsys) -> None:
    src = _workbook(tmp_path / "d")
    assert main(["regenerate", str(src), "-o", str(src.parent / ("x" * 300 + ".xlsx"))]) == 2
    err = capsys.readouterr().err
    _french(err)
    assert "trop long" in err
    assert main(["regenerate", str(src), "-o", str(src / "sortie.xlsx")]) == 2
    _french(capsys.readouterr().err)
    assert main(["check", str(tmp_path / ("y" * 300 + ".xlsx"))]) == 2
    _french(capsys.readouterr().err)
    assert sorted(p.name for p in src.parent.iterdir()) == ["besoins.xlsx"]


def test_every_system_error_is_worded_in_french() -> None:
    import errno

    for code in (errno.ENOSPC, errno.EACCES, errno.EROFS, errno.ENAMETOOLONG, errno.EIO,
                 errno.ENOTDIR, errno.EBUSY, errno.ESTALE, 9999):
        text = system_message(OSError(code, os.strerror(code), "/x/classeur.xlsx"))
        assert "classeur.xlsx" in text and os.strerror(code) not in text, text
    with pytest.raises(WriteError, match="nom de fichier trop long|trop long"):
        from allot_xl.io.xlsx.write import atomic_write
        atomic_write(Path("/tmp") / ("z" * 300), lambda tmp: None)
