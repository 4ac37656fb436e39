"""Write output sheets into a copy of a workbook file, atomically (temp file, then os.replace)."""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import itertools
import os
import stat
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

from ...core.contract import OUTPUT_SHEETS, fold
from ...core.problems import AllotError, WriteError, system_reason
from ...inputs.grid import SheetGrid
from ...outputs.model import Outputs
from . import opc
from .package import Package
from .read import open_package
from .splice import rebuild


class _Temp:
    """A temp file beside the destination. On Linux it has no name until it is complete
    (O_TMPFILE), so a run killed at any point leaves nothing behind; elsewhere, a hidden
    named file removed on failure. Its mode is set explicitly (the destination's, or
    `new_file_mode()` for a new file), never left to the umask: Pyodide starts with umask
    0o777, under which a file created "with the usual permissions" cannot be written."""

    def __init__(self, dst: Path):
        self.dst, self.fd, self.name = dst, -1, None
        try:
            mode = stat.S_IMODE(os.stat(dst).st_mode)
        except OSError:
            mode = new_file_mode()
        self.mode = mode
        # the writer reopens the file by name: its owner reads and writes it meanwhile
        writable = mode | stat.S_IRUSR | stat.S_IWUSR
        flag = getattr(os, "O_TMPFILE", 0)
        if flag and os.path.isdir("/proc/self/fd"):
            try:
                self.fd = os.open(dst.parent, flag | os.O_RDWR, 0o600)
            except OSError as e:
                if e.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
                    raise
            else:
                self.path = Path(f"/proc/self/fd/{self.fd}")
                with contextlib.suppress(OSError):  # a file system without modes
                    os.fchmod(self.fd, writable)
                return
        fd, name = tempfile.mkstemp(prefix=f".{short_stem(dst)}.", suffix=dst.suffix + ".tmp",
                                    dir=dst.parent)
        os.close(fd)
        self.name = self.path = Path(name)
        with contextlib.suppress(OSError):  # a file system without modes
            os.chmod(name, writable)

    def commit(self) -> None:
        if self.name is None:
            os.fsync(self.fd)
            # give the complete file a name, then move it over the destination at once; a
            # directory fd makes os.link use linkat(AT_SYMLINK_FOLLOW), which /proc needs
            d = os.open(self.dst.parent, os.O_RDONLY)
            try:
                for k in itertools.count():
                    name = self.dst.with_name(f".{short_stem(self.dst)}.{os.getpid()}.{k}"
                                              f"{self.dst.suffix}.tmp")
                    try:
                        os.link(self.path, name.name, dst_dir_fd=d, follow_symlinks=True)
                        break
                    except FileExistsError:
                        continue
            finally:
                os.close(d)
            self.name = name
        else:
            with open(self.name, "r+b") as f:  # Windows flushes only writable handles
                os.fsync(f.fileno())
        if self.mode & (stat.S_IRUSR | stat.S_IWUSR) != stat.S_IRUSR | stat.S_IWUSR:
            with contextlib.suppress(OSError):  # a read-only destination stays read-only
                os.chmod(self.name, self.mode)
        os.replace(self.name, self.dst)
        self.name = None
        with contextlib.suppress(OSError):  # make the rename itself durable
            d = os.open(self.dst.parent, os.O_RDONLY)
            try:
                os.fsync(d)
            finally:
                os.close(d)

    def discard(self) -> None:
        if self.name is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.name)
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


NAME_MAX = 255  # bytes of a file name on the usual file systems (ext4, NTFS in UTF-16: 255)


def short_stem(path: Path, room: int = 40) -> str:
    """`path`'s stem cut so that a temp name built on it (`room` more bytes) stays a legal
    file name; whole characters only."""
    stem, limit = path.stem, NAME_MAX - room - len(os.fsencode(path.suffix))
    while len(os.fsencode(stem)) > limit:
        stem = stem[:-1]
    return stem


def new_file_mode() -> int:
    """The mode of a new output file: read-write for everyone the umask lets in, and always
    for its owner (a umask hiding the owner's own bits, as Pyodide's 0o777, is ignored)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return (0o666 & ~mask) | stat.S_IRUSR | stat.S_IWUSR


def private_folder(folder: Path) -> Path:
    """`folder`, created if absent with mode 0o700 set explicitly (mkdir's mode goes through
    the umask, which may hide even the owner's bits)."""
    try:
        folder.mkdir(mode=0o700, parents=True)
    except FileExistsError:
        return folder
    os.chmod(folder, 0o700)
    return folder


def atomic_write(dst: Path, write: Callable[[Path], None]) -> None:
    """Call write(tmp) on a temp file beside `dst`, then move it into place.

    A failure at any point leaves `dst` as it was and removes the temp file."""
    atomic_writes([(dst, write)])


def atomic_writes(files: list[tuple[Path, Callable[[Path], None]]]) -> None:
    """Write every file of `files` (destination, write(tmp)) to its temp file first, then
    move them into place in order: a failure while writing (a full disk) leaves every
    destination as it was — `--in-place` keeps the previous `.bak` unless the new workbook
    was written whole — and removes the temp files."""
    temps: list[tuple[Path, _Temp]] = []
    failure: WriteError | None = None
    hook = sys.unraisablehook
    # a library writer (openpyxl) left half-way keeps generators that fail again when they
    # are finalised: their "Exception ignored" traceback must not follow the French sentence
    sys.unraisablehook = lambda _: None
    done = False
    dst = Path(files[0][0])
    try:
        try:
            for target, write in files:
                dst = Path(target).resolve()
                temps.append((dst, _Temp(dst)))
                write(temps[-1][1].path)
            for target, tmp in temps:
                dst = target  # named by the message if its move fails
                tmp.commit()
            done = True
        except OSError as e:
            failure = WriteError(_write_message(dst, e))
        finally:
            for _, tmp in temps:
                with contextlib.suppress(OSError):
                    tmp.discard()
            if not done:  # finalise a half-way writer while its noise is muted
                gc.collect()
    finally:
        sys.unraisablehook = hook
    if failure is not None:
        raise failure


def _write_message(dst: Path, e: OSError) -> str:
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return (f"Disque plein : impossible d'écrire « {dst.name} ». Libérez de la place puis "
                f"relancez ; le classeur d'origine n'a pas été modifié.")
    if e.errno == errno.EFBIG:
        return (f"Fichier trop gros pour la destination : impossible d'écrire « {dst.name} » "
                f"(limite de taille de fichier atteinte) ; choisissez un autre dossier avec -o. "
                f"Le classeur d'origine n'a pas été modifié.")
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"Écriture refusée dans « {dst.parent} » (droits insuffisants, ou fichier "
                f"ouvert dans Excel) : fermez le fichier ou choisissez un autre dossier avec -o.")
    if e.errno == errno.ENOENT:
        return f"Le dossier « {dst.parent} » n'existe pas : créez-le ou choisissez-en un autre."
    if e.errno == errno.ENAMETOOLONG:
        return (f"Nom de fichier trop long pour le disque : impossible d'écrire « {dst.name} ». "
                f"Raccourcissez le nom (ou le dossier) avec -o ; rien n'a été modifié.")
    return f"Impossible d'écrire « {dst.name} » ({system_reason(e)}) ; rien n'a été modifié."


LOCK_WAIT_S = 300


def excel_lock_file(path: Path) -> Path | None:
    """The owner file a spreadsheet program keeps beside a workbook it has open, or None:
    Excel's `~$name.xlsx` (Office drops the first two characters of long names; OnlyOffice
    writes it too), LibreOffice's and OnlyOffice's `.~lock.name.xlsx#`."""
    for name in (f"~${path.name}", f"~${path.name[2:]}", f".~lock.{path.name}#"):
        try:
            if (path.parent / name).is_file():
                return path.parent / name
        except OSError:  # a name too long for the disk cannot be there
            continue
    return None


def refuse_open_in_excel(path: Path) -> None:
    """AllotError (French) when a spreadsheet program has `path` open (its owner file is
    beside it): Excel, LibreOffice Calc or OnlyOffice would later save over the run."""
    owner = excel_lock_file(path)
    if owner is not None and path.exists():
        program = ("LibreOffice ou OnlyOffice" if owner.name.startswith(".~lock.")
                   else "Excel")
        raise AllotError(f"« {path.name} » est ouvert dans {program} (fichier « {owner.name} » "
                         f"à côté) : fermez-le dans {program}, puis relancez. Rien n'a été "
                         f"écrit.")


def refuse_read_only(path: Path) -> None:
    """AllotError (French) when `path` exists and is protected against writing (read-only
    attribute, `chmod 444`): a run never replaces a file the buyer protected."""
    try:
        st = os.stat(path)
    except OSError:
        return
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(
            path, os.W_OK):
        raise AllotError(f"« {path.name} » est protégé en écriture (lecture seule) : allot_xl "
                         f"ne le remplace pas. Retirez la protection (Propriétés du fichier, "
                         f"décochez « Lecture seule ») ou écrivez ailleurs avec -o. Rien n'a été "
                         f"écrit.")


def lock_path(path: Path) -> Path:
    """The lock file of `path`: in the user's temp folder, named after the file's full path,
    so that a run killed with its lock leaves nothing in the buyer's folder."""
    user = os.getuid() if hasattr(os, "getuid") else ""
    folder = private_folder(Path(tempfile.gettempdir()) / f"allot-xl-{user}")
    digest = hashlib.sha256(os.fsencode(os.path.normcase(str(path)))).hexdigest()[:32]
    return folder / f"{digest}.lock"


def _filelock() -> ModuleType:
    """filelock, whose `FileLock` is the lock for this platform: an OS lock (fcntl.flock, or
    Windows' own) where there is one; where `fcntl` is absent (Pyodide) its soft lock, a
    marker file created exclusively and removed on release: Pyodide runs one process in an
    in-memory file system, so that marker is all a lock has to do there."""
    with warnings.catch_warnings():  # filelock warns at import when only its soft lock exists
        warnings.simplefilter("ignore")
        import filelock
    return filelock


@contextlib.contextmanager
def exclusive(path: Path, wait_s: float = LOCK_WAIT_S) -> Iterator[None]:
    """Hold the lock of `path` (filelock's lock on a file of the user's temp folder, an OS
    lock released even when the process is killed): runs writing one file take turns, each
    reading what the previous one wrote. Raises WriteError (French) when the lock cannot be
    taken within `wait_s` seconds."""
    filelock = _filelock()
    target = Path(path).resolve()
    busy = WriteError(f"Un autre allot-xl écrit déjà « {target.name} » : attendez qu'il ait "
                      f"fini, puis relancez. Rien n'a été écrit.")
    try:
        lock = filelock.FileLock(str(lock_path(target)), timeout=wait_s, mode=0o600)
        lock.acquire()
    except filelock.Timeout:
        raise busy from None
    except OSError as e:
        raise WriteError(_write_message(target, e)) from None
    try:
        yield
    finally:
        lock.release()


# the Excel table allot_xl puts first on each output sheet: its mark on the sheet
MARK_TABLES = {"lots": "t_lots", "affectation": "t_affectation", "multiattribution": "t_multi",
               "synthese": "t_synthese", "controles": "t_controles", "journal": "t_journal"}
# the output sheets allot_xl reads back, recognised by their headers too (a previous run's
# `Lots` keeps lot numbers even as a plain range)
MARK_HEADERS = {"lots": {"n° lot", "cle"}, "journal": {"horodatage", "empreinte des entrees"}}


def _is_mark(table: str, mark: str) -> bool:
    """`T_Lots`, or `T_Lots_2` when another table had the name (look.unique_name)."""
    return table == mark or (table.startswith(mark + "_") and table[len(mark) + 1:].isdigit())


def foreign_output_sheets(source: Package, grids: dict[str, SheetGrid] | None = None
                          ) -> list[str]:
    """Sheets named like an output sheet that allot_xl did not write: those without the
    Excel table allot_xl puts on it (`T_Lots`, `T_Synthese`…) and, for the sheets read
    back (`grids`: `Lots`, `Journal`), without its header; an empty sheet counts as
    allot_xl's (nothing of the buyer's to lose)."""
    by_name = {fold(g.name): g for g in (grids or {}).values()}
    owned = {fold(s) for s in OUTPUT_SHEETS}
    parts = source.sheet_parts()
    out = []
    for s in source.book.sheets:
        key = fold(s.name)
        if key not in owned or s.rid not in parts:
            continue
        mark = MARK_TABLES.get("".join(ch for ch in key if ch.isalnum()))
        tables = {n for t in source.targets(parts[s.rid], opc.REL_TABLE)
                  for n in source.tables.get(t, (set(), 0))[0]}
        if mark and any(_is_mark(n, mark) for n in tables):
            continue
        heads = MARK_HEADERS.get(key)
        if heads and key in by_name and _has_header(by_name[key], heads):
            continue
        if not tables and not _has_cells(source, parts[s.rid]):
            continue
        out.append(s.name)
    return out


def _has_header(grid: SheetGrid, heads: set[str]) -> bool:
    return any(heads <= {fold(str(v)) for v in row if isinstance(v, str)}
               for row in grid.values[:11])


def refuse_foreign_outputs(src: Path | Package, grids: dict[str, SheetGrid] | None = None
                           ) -> None:
    """AllotError (French, naming the sheet) when the workbook has a sheet named like an
    output that allot_xl did not write: it is the buyer's, never overwritten. `grids`: the
    sheets read, to recognise a previous run's `Lots` and `Journal` by their headers."""
    source = open_package(src)
    foreign = foreign_output_sheets(source, grids)
    if foreign:
        names = ", ".join(f"« {n} »" for n in foreign)
        raise AllotError(f"Feuille {names} de « {source.name} » porte le nom d'une feuille "
                         f"de résultats mais n'a pas été écrite par allot_xl : renommez-la "
                         f"(par exemple « {foreign[0]} (perso) »), puis relancez. Rien n'a "
                         f"été écrit.")


def _has_cells(source: Package, part: str) -> bool:
    """Whether a sheet part holds at least one cell (read in chunks, never whole)."""
    if not source.has(part):
        return False
    with source.stream(part) as f:
        tail = b""
        while chunk := f.read(1 << 16):
            if b"<c " in tail + chunk or b"<c>" in tail + chunk:
                return True
            tail = chunk[-3:]
    return False


def write_in_place(src: Path | Package, backup: Path, outputs: Outputs) -> None:
    """Rewrite workbook `src` (a path, or the run's open Package) with `outputs`, keeping
    the workbook as it was in `backup`: both are written whole to temp files before either
    replaces anything, so a failure (a full disk) leaves the workbook and the previous
    backup as they were."""
    source = open_package(src)
    macro = source.path.suffix.lower() == ".xlsm"
    # the backup is moved into place first: the workbook is never replaced without it
    atomic_writes([(Path(backup), lambda tmp: Path(tmp).write_bytes(source.data)),
                   (source.path, lambda tmp: rebuild(source, tmp, outputs, macro))])


def write_outputs(src: Path | Package, dst: Path, outputs: Outputs) -> None:
    """Copy `src` (a path, or the run's open Package) to `dst` with the output sheets
    replaced by `outputs`.

    Only the parts allot_xl owns change (the output sheets and their tables and charts, the
    lists naming them, appended styles); every other part is copied as stored (its
    compressed bytes). Raises UnreadableFile or WriteError (French sentence); on failure
    `dst` is left as it was."""
    source = open_package(src)
    macro = Path(dst).suffix.lower() == ".xlsm"
    atomic_write(Path(dst), lambda tmp: rebuild(source, tmp, outputs, macro))
