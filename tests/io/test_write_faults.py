"""A run killed while writing, a full disk, a refused write, or a hostile file (truncated zip,
zip bomb, XML entities, a million rows): the input and any earlier output stay as they were,
no temp file is left, and the buyer reads one French sentence."""

from __future__ import annotations

import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from allot_xl import api
from allot_xl.cli import main
from allot_xl.core.problems import UnreadableFile, WriteError
from allot_xl.template import build_template

PY = sys.executable
LOL = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
       + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"".join(b"&lol%s;" % (b"" if i == 1 else
                                                                         b"%d" % (i - 1))
                                                         for _ in range(10)))
                  for i in range(1, 10)) + b"]>")


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    """An input workbook whose write phase lasts long enough to be interrupted."""
    path = tmp_path_factory.mktemp("entree") / "besoins.xlsx"
    build_template(example=True, n_needs=10_000).save(path)
    return path


def _copy(book: Path, d: Path, name: str = "besoins.xlsx") -> Path:
    d.mkdir(parents=True, exist_ok=True)
    shutil.copy(book, d / name)
    return d / name


def _snapshot(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())}


def _complete(path: Path) -> bool:
    with zipfile.ZipFile(path) as z:
        return z.testzip() is None and "xl/workbook.xml" in z.namelist()


# --------------------------------------------------------------------------- interrupted write

CHILD = """
import sys
from allot_xl import api
def say(msg):
    if msg.startswith("Écriture"):
        print("W", flush=True)
src, out = sys.argv[1], sys.argv[2]
api.regenerate(src, None if out == "-" else out, in_place=out == "-", progress=say)
print("OK", flush=True)
"""


def _kill_during_write(src: Path, out: str, delay: float) -> bool:
    """Run a regeneration in a child, SIGKILL it `delay` s into its write; True if it ended
    before the kill."""
    p = subprocess.Popen([PY, "-c", CHILD, str(src), out], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "W"
    time.sleep(delay)
    p.send_signal(signal.SIGKILL)
    rest = p.stdout.read()
    p.wait()
    return "OK" in rest


@pytest.fixture(scope="module")
def write_time(book, tmp_path_factory) -> float:
    """How long the write phase lasts on this machine, so kills land inside it."""
    src = _copy(book, tmp_path_factory.mktemp("mesure"))
    p = subprocess.Popen([PY, "-c", CHILD, str(src), str(src.parent / "sortie.xlsx")],
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "W"
    t = time.perf_counter()
    assert "OK" in p.stdout.read()
    p.wait()
    return time.perf_counter() - t


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.25, 0.5, 0.75, 0.9])
def test_a_killed_run_leaves_input_and_output_intact(book, write_time, tmp_path,
                                                     fraction) -> None:
    src = _copy(book, tmp_path / "d")
    out = tmp_path / "d" / "sortie.xlsx"
    api.regenerate(src, out)  # an earlier output
    before = _snapshot(src.parent)
    finished = _kill_during_write(src, str(out), fraction * write_time)
    after = _snapshot(src.parent)
    assert sorted(after) == sorted(before)  # no temp file
    assert after[src.name] == before[src.name]
    if after[out.name] != before[out.name]:  # only a finished run may replace it, whole
        assert finished or _complete(out)


@pytest.mark.parametrize("fraction", [0.0, 0.4, 0.8])
def test_a_killed_in_place_run_leaves_the_workbook_whole(book, write_time, tmp_path,
                                                         fraction) -> None:
    src = _copy(book, tmp_path / "d")
    original = src.read_bytes()
    _kill_during_write(src, "-", fraction * write_time)
    names = sorted(p.name for p in src.parent.iterdir())
    assert names in (["besoins.xlsx"], ["besoins.bak.xlsx", "besoins.xlsx"])
    if "besoins.bak.xlsx" in names:
        assert (src.parent / "besoins.bak.xlsx").read_bytes() == original
    assert src.read_bytes() == original or _complete(src)


# --------------------------------------------------------------------------- refused writes


def test_disk_full_gives_the_french_message(book, tmp_path, capsys) -> None:
    if os.geteuid() != 0:
        pytest.skip("monter un tmpfs demande les droits root")
    mnt = tmp_path / "petit"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(mnt)]).returncode:
        pytest.skip("tmpfs impossible à monter ici")
    try:
        src = _copy(book, tmp_path / "d")
        before = src.read_bytes()
        assert main(["regenerate", str(src), "-o", str(mnt / "sortie.xlsx")]) == 2
        err = capsys.readouterr().err
        assert err.startswith("Erreur : Disque plein") and "sortie.xlsx" in err
        assert list(mnt.iterdir()) == [] and src.read_bytes() == before
    finally:
        subprocess.run(["umount", str(mnt)])


FSIZE_CHILD = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
from allot_xl.cli import main
sys.exit(main(["regenerate", sys.argv[1], "-o", sys.argv[2]]))
"""


def test_file_size_limit_gives_the_french_message(book, tmp_path) -> None:
    src = _copy(book, tmp_path / "d")
    before = _snapshot(src.parent)
    p = subprocess.run([PY, "-c", FSIZE_CHILD, str(src), str(src.parent / "sortie.xlsx")],
                       capture_output=True, text=True)
    assert p.returncode == 2, p.stderr
    assert p.stderr.startswith("Erreur : Fichier trop gros") and "sortie.xlsx" in p.stderr
    assert _snapshot(src.parent) == before


def test_permission_denied_gives_the_french_message(book, tmp_path) -> None:
    src = _copy(book, tmp_path / "d")
    ro = tmp_path / "lecture-seule"
    ro.mkdir()
    ro.chmod(0o555)
    cmd = [PY, "-m", "allot_xl.cli", "regenerate", str(src), "-o", str(ro / "sortie.xlsx")]
    if os.geteuid() == 0:  # root ignores permissions unless it drops that capability
        if shutil.which("setpriv") is None:
            pytest.skip("setpriv absent : impossible de retirer à root le droit d'écrire")
        cmd = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] + cmd
    try:
        p = subprocess.run(cmd, capture_output=True, text=True)
    finally:
        ro.chmod(0o755)
    assert p.returncode == 2, p.stderr
    assert p.stderr.startswith("Erreur : Écriture refusée"), p.stderr
    assert list(ro.iterdir()) == []


def test_missing_folder_and_write_error_class(book, tmp_path) -> None:
    src = _copy(book, tmp_path / "d")
    with pytest.raises(WriteError, match="n'existe pas"):
        api.regenerate(src, tmp_path / "absent" / "sortie.xlsx")


# --------------------------------------------------------------------------- hostile files


def _refused(path: Path, words: str) -> None:
    """`regenerate` stops with a French sentence holding `words`, writing nothing."""
    before = _snapshot(path.parent)
    with pytest.raises(UnreadableFile) as e:
        api.regenerate(path)
    assert words in str(e.value) and "«" in str(e.value)
    assert _snapshot(path.parent) == before


def test_truncated_zip_is_refused(book, tmp_path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    data = book.read_bytes()
    (d / "tronque.xlsx").write_bytes(data[: len(data) // 2])
    _refused(d / "tronque.xlsx", "endommagé")


def _bomb(path: Path, size: int, name: bytes = b"xl/worksheets/sheet1.xml") -> None:
    """A workbook whose part `name` really unpacks to `size` bytes of spaces (small on disk)."""
    chunk = b" " * (1 << 24)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)  # no history: repeatable as is
    n, rest = divmod(size, len(chunk))
    assert rest == 0
    data = block * n + c.flush()
    crc = 0
    for _ in range(n):
        crc = zlib.crc32(chunk, crc)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    with open(path, "r+b") as f:  # append the bomb entry and rewrite the directory
        z = zipfile.ZipFile(f)
        infos = z.infolist()
        f.seek(z.start_dir)
        offset = f.tell()
        f.write(struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size,
                            len(name), 0) + name + data)
        central = f.tell()
        entries = b""
        for i in infos:
            entries += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, i.compress_type, 0,
                                   0, i.CRC, i.compress_size, i.file_size, len(i.filename),
                                   0, 0, 0, 0, 0, i.header_offset) + i.filename.encode()
        entries += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc,
                               len(data), size, len(name), 0, 0, 0, 0, 0, offset) + name
        f.write(entries)
        f.write(struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(infos) + 1, len(infos) + 1,
                            len(entries), central, 0))
        f.truncate()


def test_zip_bomb_is_refused_without_unpacking(tmp_path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    _bomb(d / "bombe.xlsx", 129 << 24)  # 2.02 GiB of spaces, ~2 MB on disk
    with zipfile.ZipFile(d / "bombe.xlsx") as z:
        assert sum(i.file_size for i in z.infolist()) > 2 * 1024**3
    t = time.perf_counter()
    _refused(d / "bombe.xlsx", "2 Go")
    assert time.perf_counter() - t < 2
    # under the total cap, a part read whole (shared strings) has a cap of its own
    _bomb(d / "chaines.xlsx", 17 << 24, b"xl/sharedStrings.xml")
    _refused(d / "chaines.xlsx", "xl/sharedStrings.xml dépasse 64 Mo")  # the cap, lowered


def _with_part(book: Path, d: Path, part: str, edit) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    out = d / "attaque.xlsx"
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for i in zin.infolist():
            data = zin.read(i.filename)
            z.writestr(i.filename, edit(data) if i.filename == part else data)
    return out


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml",
                                  "xl/styles.xml", "[Content_Types].xml", "xl/tables/table1.xml",
                                  "xl/_rels/workbook.xml.rels"])
def test_xml_entities_are_refused(book, tmp_path, part) -> None:
    def attack(data: bytes) -> bytes:
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        return LOL + body.replace(b"</", b"&lol9;</", 1)
    path = _with_part(book, tmp_path / "d", part, attack)
    t = time.perf_counter()
    _refused(path, "« attaque.xlsx »")
    assert time.perf_counter() - t < 5


# --------------------------------------------------------------------------- a million rows

# peak memory of this process image: VmHWM (ru_maxrss would count the forking parent's)
MEM_CHILD = """
import resource, sys
from allot_xl import api
from allot_xl.core.problems import AllotError
try:
    api.regenerate(sys.argv[1], sys.argv[2])
    print("OK")
except AllotError as e:
    print("ERR", e)
try:
    status = open("/proc/self/status").read()
    print(int(status.split("VmHWM:")[1].split()[0]) // 1024)
except OSError:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def _rows_sheet(f, n: int) -> None:
    f.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<sheetData>")
    for start in range(1, n + 1, 10_000):
        f.write(b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r)
                         for r in range(start, min(start + 10_000, n + 1))))
    f.write(b"</sheetData></worksheet>")


def _add_sheet(book: Path, out: Path, name: str, rows: int, replace: str | None = None) -> None:
    """Copy `book` with a sheet of `rows` rows: a new one, or in place of part `replace`."""
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for i in zin.infolist():
            data = zin.read(i.filename)
            if i.filename == replace:
                continue
            if replace is None and i.filename == "xl/workbook.xml":
                data = data.replace(b"</sheets>", f'<sheet name="{name}" sheetId="99" '
                                    f'r:id="rIdBig"/></sheets>'.encode())
            elif replace is None and i.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdBig" Type="'
                                    b"http://schemas.openxmlformats.org/officeDocument/2006/"
                                    b'relationships/worksheet" Target="worksheets/big.xml"/>'
                                    b"</Relationships>")
            elif replace is None and i.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/worksheets/big.xml" '
                                    b'ContentType="application/vnd.openxmlformats-officedocument'
                                    b'.spreadsheetml.worksheet+xml"/></Types>')
            z.writestr(i.filename, data)
        with z.open(replace or "xl/worksheets/big.xml", "w") as f:
            _rows_sheet(f, rows)


def _run_child(src: Path, out: Path) -> tuple[str, int]:
    p = subprocess.run([PY, "-c", MEM_CHILD, str(src), str(out)], capture_output=True,
                       text=True)
    *lines, rss = p.stdout.strip().splitlines()
    return "\n".join(lines), int(rss)


def test_a_million_row_sheet_of_its_own_is_copied_in_bounded_memory(tmp_path) -> None:
    small = tmp_path / "petit.xlsx"
    build_template(example=True, n_needs=200).save(small)
    src = tmp_path / "historique.xlsx"
    _add_sheet(small, src, "Historique", 1_000_000)
    out = tmp_path / "sortie.xlsx"
    said, rss = _run_child(src, out)
    assert said == "OK"
    assert rss < 400, f"{rss} Mo"
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        assert a.read("xl/worksheets/big.xml") == b.read("xl/worksheets/big.xml")


def test_an_input_sheet_reaching_a_million_rows_is_refused_early(tmp_path) -> None:
    small = tmp_path / "petit.xlsx"
    build_template(example=True, n_needs=200).save(small)
    src = tmp_path / "besoins.xlsx"
    _add_sheet(small, src, "Besoins", 1_000_000, replace="xl/worksheets/sheet1.xml")
    said, rss = _run_child(src, tmp_path / "sortie.xlsx")
    assert said.startswith("ERR La feuille « Besoins »") and "500\u00a0000" in said
    assert rss < 250, f"{rss} Mo"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["besoins.xlsx", "petit.xlsx"]


def test_temp_file_has_no_name_until_complete(tmp_path) -> None:
    from allot_xl.io.xlsx.write import atomic_write

    seen = []

    def write(tmp: Path) -> None:
        tmp.write_bytes(b"x")
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        raise OSError(28, "No space left on device")

    with pytest.raises(WriteError, match="Disque plein"):
        atomic_write(tmp_path / "a.xlsx", write)
    assert list(tmp_path.iterdir()) == []
    if hasattr(os, "O_TMPFILE"):
        assert seen == [[]]  # nothing to clean up even after a SIGKILL
    with tempfile.TemporaryDirectory() as d:
        atomic_write(Path(d) / "b.xlsx", lambda tmp: tmp.write_bytes(b"ok"))
        assert (Path(d) / "b.xlsx").read_bytes() == b"ok"
