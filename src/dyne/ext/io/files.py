"""Uploaded files and the checks every ``FileField`` runs: the one copy of them.

Both schema libraries' ``FileField`` call these functions; each raises
:class:`FileCheckError` (a ``ValueError``), which the fields turn into their library's
validation error.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

__all__ = [
    "CHUNK_SIZE",
    "MAX_FILENAME_LENGTH",
    "MAX_SANITIZED_LENGTH",
    "File",
    "FileCheckError",
    "as_file",
    "normalize_extensions",
    "run_validators",
    "sanitize_filename",
    "validate_extension",
    "validate_filename",
    "validate_size",
]

#: bytes copied at a time by :meth:`File.save`: uploads are streamed, never read whole.
CHUNK_SIZE = 64 * 1024
#: the longest filename accepted (most file systems stop at 255 bytes).
MAX_FILENAME_LENGTH = 255
#: the longest name :func:`sanitize_filename` returns: room is left for a prefix.
MAX_SANITIZED_LENGTH = 200

# Characters Windows refuses in names; rejecting them everywhere keeps saved names portable.
_WINDOWS_FORBIDDEN = frozenset('<>:"|?*')
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")
_FALLBACK_NAME = "upload"


class FileCheckError(ValueError):
    """An uploaded file failed one of the checks (size, extension, filename)."""


class File:
    """An uploaded file, as a view receives it from a ``FileField``.

    It wraps Starlette's ``UploadFile``, whose content is spooled to a temporary file
    (on disk past 1 MiB), so reading and saving stream it instead of holding it in memory.
    """

    __slots__ = ("_upload", "filename")

    def __init__(self, upload: UploadFile, filename: str | None = None) -> None:
        self._upload = upload
        #: the client's filename (or its sanitized form when the field sanitizes)
        self.filename: str = filename if filename is not None else (upload.filename or "")

    def __repr__(self) -> str:
        return (
            f"File(filename={self.filename!r}, content_type={self.content_type!r}, "
            f"size={self.size!r})"
        )

    @property
    def content_type(self) -> str:
        """The Content-Type the client declared for the part (not verified), or ``""``."""
        return self._upload.content_type or ""

    @property
    def headers(self) -> Any:
        """The headers of the multipart part."""
        return self._upload.headers

    @property
    def file(self) -> IO[bytes]:
        """The underlying (spooled) binary file object."""
        return self._upload.file

    @property
    def size(self) -> int:
        """The size in bytes."""
        size = self._upload.size
        if size is None:
            stream = self._upload.file
            position = stream.tell()
            size = stream.seek(0, os.SEEK_END)
            stream.seek(position)
        return size

    @property
    def extension(self) -> str:
        """The lower-case extension of :attr:`filename` without its dot (``"png"``), or ``""``."""
        return _extension_of(self.filename)

    def read(self, size: int = -1) -> bytes:
        """Read ``size`` bytes (all by default) from the start on first call, then onwards."""
        return self._upload.file.read(size)

    async def aread(self, size: int = -1) -> bytes:
        """Like :meth:`read`, in a worker thread."""
        return await self._upload.read(size)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move the read position (``file.seek(0)`` to read again from the start)."""
        return self._upload.file.seek(offset, whence)

    def save(self, destination: str | os.PathLike[str] | IO[bytes]) -> None:
        """Copy the content to ``destination`` (a path or a binary file object), streaming.

        A path's missing parent directories are created. The file is written under a
        temporary name beside the target and renamed into place when complete, so a
        failed copy never leaves a partial file behind.

        :raises ValueError: when the file name is longer than
            :data:`MAX_FILENAME_LENGTH` bytes, or the path longer than the file system
            allows (never a bare ``OSError: File name too long``).
        """
        source = self._upload.file
        source.seek(0)
        if not isinstance(destination, str | os.PathLike):
            shutil.copyfileobj(source, destination, CHUNK_SIZE)
            return
        target = Path(destination)
        size = len(os.fsencode(target.name))
        if size > MAX_FILENAME_LENGTH:
            raise ValueError(
                f"Cannot save the upload as {target.name[:40]!r}...: the name is {size} bytes, "
                f"more than the {MAX_FILENAME_LENGTH} bytes file systems allow; use a shorter "
                f"name (sanitize_filename returns at most {MAX_SANITIZED_LENGTH} characters, "
                "leaving room for a prefix)."
            )
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        except OSError as exc:
            if exc.errno != errno.ENAMETOOLONG:
                raise
            raise ValueError(
                f"Cannot save the upload to {str(target)[:60]!r}...: the path is longer than "
                f"the file system allows (names up to {MAX_FILENAME_LENGTH} bytes); "
                "use a shorter directory or name."
            ) from exc
        try:
            with os.fdopen(handle, "wb") as out:
                shutil.copyfileobj(source, out, CHUNK_SIZE)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def asave(self, destination: str | os.PathLike[str] | IO[bytes]) -> None:
        """Like :meth:`save`, in a worker thread so the event loop keeps serving."""
        await run_in_threadpool(self.save, destination)

    async def close(self) -> None:
        """Release the spooled content (Dyne does it when the response is sent)."""
        await self._upload.close()


def as_file(value: Any) -> File | None:
    """Return ``value`` as a :class:`File` (from a File or an UploadFile), else None."""
    if isinstance(value, File):
        return value
    if isinstance(value, UploadFile):
        return File(value)
    return None


def _extension_of(filename: str) -> str:
    stem, dot, extension = filename.rpartition(".")
    return extension.lower() if dot and stem else ""


def run_validators(owner: Any, names: Iterable[str], file: File) -> None:
    """Call ``owner.<name>(file)`` for each validator name, in order; a name the owner does
    not define is a programming error (``TypeError``), reported when first used."""
    for name in names:
        validator = getattr(owner, name, None)
        if validator is None:
            owner_name = owner.__name__ if isinstance(owner, type) else type(owner).__name__
            raise TypeError(
                f"{owner_name} lists the file validator {name!r}, which it does not define; "
                "add the method or remove the name."
            )
        validator(file)


def normalize_extensions(extensions: Iterable[str] | None) -> frozenset[str] | None:
    """``{"PNG", ".jpg"}`` → ``{"png", "jpg"}``; None (any extension) stays None."""
    if extensions is None:
        return None
    if isinstance(extensions, str):
        extensions = [extensions]
    return frozenset(extension.lower().lstrip(".") for extension in extensions)


def validate_size(file: File, max_size: int | None) -> None:
    """Reject an empty file, and one larger than ``max_size`` bytes (None: no limit)."""
    size = file.size
    if size == 0:
        raise FileCheckError("The uploaded file is empty; send a file with content.")
    if max_size is not None and size > max_size:
        raise FileCheckError(
            f"The file is {size} bytes, larger than the limit of {max_size} bytes; "
            "send a smaller file."
        )


def validate_extension(file: File, allowed: Iterable[str] | None) -> None:
    """Reject a file whose extension (case-insensitive) is not in ``allowed`` (None: any)."""
    wanted = normalize_extensions(allowed)
    if wanted is None:
        return
    extension = file.extension
    if extension not in wanted:
        shown = f"'.{extension}'" if extension else "no extension"
        raise FileCheckError(
            f"The file {file.filename!r} has {shown}; "
            f"allowed extensions are: {', '.join(sorted(wanted))}."
        )


def validate_filename(file: File, sanitize: bool = False) -> None:
    """Reject an unsafe filename, or with ``sanitize=True`` replace it with a safe one.

    Unsafe: empty, longer than 255 characters, containing a path separator, ``..``, a
    control character or a character Windows forbids, starting with a dot, a reserved
    device name (``CON``, ``NUL``, ...), or not plain ASCII.
    """
    if sanitize:
        file.filename = sanitize_filename(file.filename)
        return
    problem = _filename_problem(file.filename)
    if problem is not None:
        raise FileCheckError(
            f"Unsafe filename {file.filename[:80]!r}: {problem}; "
            "rename the file (or let the field sanitize filenames)."
        )


def _filename_problem(name: str) -> str | None:
    if not name:
        return "it is empty"
    if len(name) > MAX_FILENAME_LENGTH:
        return f"it is longer than {MAX_FILENAME_LENGTH} characters"
    if "/" in name or "\\" in name:
        return "it contains a path separator"
    if ".." in name:
        return "it contains '..'"
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        return "it contains a control character"
    if not name.isascii():
        return "it contains non-ASCII characters"
    if name.startswith("."):
        return "it starts with a dot"
    if any(char in _WINDOWS_FORBIDDEN for char in name):
        return 'it contains one of < > : " | ? *'
    if name.rstrip(" .") != name:
        return "it ends with a dot or a space"
    if name.partition(".")[0].upper().rstrip(" ") in _WINDOWS_RESERVED:
        return "it is a reserved device name"
    return None


def sanitize_filename(name: str) -> str:
    """Turn any client filename into a safe ASCII one (``"../../Résumé final.pdf"`` →
    ``"Resume_final.pdf"``): never empty, never a path, never a device name, at most
    :data:`MAX_SANITIZED_LENGTH` characters (extension kept), so a prefix such as
    ``f"{id}-"`` still fits the file system's limit. The result always passes
    :func:`validate_filename`."""
    # NFKD first: look-alikes such as the full-width solidus become the real "/" here,
    # and so are removed below instead of slipping through as "safe" characters.
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.split(r"[/\\]", text)[-1]
    text = _UNSAFE_RUN.sub("_", text)
    text = re.sub(r"\.{2,}", ".", text).strip("._-")
    stem, dot, extension = text.rpartition(".")
    if not dot:
        stem, extension = text, ""
    extension = extension[:16]
    room = MAX_SANITIZED_LENGTH - (len(extension) + 1 if extension else 0)
    stem = stem[:room].rstrip("._-") or _FALLBACK_NAME
    # Windows reads the part before the first dot as the device: "CON.tar.gz" is CON.
    if stem.partition(".")[0].upper() in _WINDOWS_RESERVED:
        stem = f"_{stem[: room - 1]}".rstrip("._-")
    result = f"{stem}.{extension}" if extension else stem
    if _filename_problem(result) is not None:  # a safety net: never hand back a bad name
        return _FALLBACK_NAME
    return result
