"""Write output sheets into a copy of a workbook file, atomically (temp file, then os.replace)."""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..outputs.model import Outputs
from ..problems import WriteError
from .package import Package
from .xlsx_package import rebuild
from .xlsx_read import forget, open_package


class _Temp:
    """A temp file beside the destination. On Linux it has no name until it is complete
    (O_TMPFILE), so a run killed at any point leaves nothing behind; elsewhere, a hidden
    named file removed on failure."""

    def __init__(self, dst: Path):
        self.dst, self.fd, self.name = dst, -1, None
        try:
            mode: int | None = stat.S_IMODE(os.stat(dst).st_mode)
        except OSError:
            mode = None  # a new file: the usual permissions (umask)
        flag = getattr(os, "O_TMPFILE", 0)
        if flag and os.path.isdir("/proc/self/fd"):
            try:
                self.fd = os.open(dst.parent, flag | os.O_RDWR, 0o666)
            except OSError as e:
                if e.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
                    raise
            else:
                self.path = Path(f"/proc/self/fd/{self.fd}")
                if mode is not None:
                    os.fchmod(self.fd, mode)
                return
        fd, name = tempfile.mkstemp(prefix=f".{dst.stem}.", suffix=dst.suffix + ".tmp",
                                    dir=dst.parent)
        os.close(fd)
        self.name = self.path = Path(name)
        if mode is None:
            mode = 0o666 & ~_umask()
        with contextlib.suppress(OSError):
            os.chmod(name, mode)

    def commit(self) -> None:
        if self.name is None:
            os.fsync(self.fd)
            # give the complete file a name, then move it over the destination at once; a
            # directory fd makes os.link use linkat(AT_SYMLINK_FOLLOW), which /proc needs
            d = os.open(self.dst.parent, os.O_RDONLY)
            try:
                for k in itertools.count():
                    name = self.dst.with_name(f".{self.dst.stem}.{os.getpid()}.{k}"
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


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(dst: Path, write: Callable[[Path], None]) -> None:
    """Call write(tmp) on a temp file beside `dst`, then move it into place.

    A failure at any point leaves `dst` as it was and removes the temp file."""
    dst = dst.resolve()
    try:
        tmp = _Temp(dst)
    except OSError as e:
        raise WriteError(_write_message(dst, e)) from None
    try:
        write(tmp.path)
        tmp.commit()
    except OSError as e:
        raise WriteError(_write_message(dst, e)) from None
    finally:
        tmp.discard()


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
    return f"Impossible d'écrire « {dst.name} » ({e.strerror}) ; rien n'a été modifié."


def write_outputs(src: Path | Package, dst: Path, outputs: Outputs) -> None:
    """Copy `src` (a path, or the run's open Package) to `dst` with the output sheets
    replaced by `outputs`.

    Only the parts allot_xl owns change (the output sheets and their tables and charts, the
    lists naming them, appended styles); every other part is copied as stored (its
    compressed bytes). Raises UnreadableFile or WriteError (French sentence); on failure
    `dst` is left as it was."""
    source = open_package(src)
    macro = Path(dst).suffix.lower() == ".xlsm"
    try:
        atomic_write(Path(dst), lambda tmp: rebuild(source, tmp, outputs, macro))
    finally:
        forget(source)
