"""``FileField`` for marshmallow schemas: an uploaded file, checked on the way in.

Configure it with ``FileField(allowed_extensions=..., max_size=..., sanitize_filename=...)``
and extend it with instance methods named in ``file_validators`` (for every instance of a
subclass) or appended to ``self.active_file_validators`` (for one instance); each receives
the :class:`~dyne.ext.io.File` and raises ``marshmallow.ValidationError`` to reject it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from marshmallow import ValidationError, fields

from dyne.ext.io import files as _files
from dyne.ext.io.files import File, FileCheckError

__all__ = ["FileField"]


class FileField(fields.Field):
    """An uploaded file in a marshmallow schema; the loaded value is a :class:`File`.

    :param allowed_extensions: accepted extensions, case-insensitive (None: any).
    :param max_size: the largest accepted size in bytes (None: no limit).
    :param sanitize_filename: replace unsafe filenames with safe ASCII ones instead of
        rejecting them.
    """

    #: names of the methods run on every file of every instance, in order
    file_validators: ClassVar[list[str]] = [
        "validate_filename",
        "validate_size",
        "validate_extension",
    ]
    default_error_messages = {
        "invalid": "Not a file upload; send the file as a multipart/form-data file part."
    }

    def __init__(
        self,
        *,
        allowed_extensions: Iterable[str] | None = None,
        max_size: int | None = None,
        sanitize_filename: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.allowed_extensions = _files.normalize_extensions(allowed_extensions)
        self.max_size = max_size
        self.sanitize_filename = sanitize_filename
        #: the validators this instance runs (starts as a copy of ``file_validators``)
        self.active_file_validators: list[str] = list(type(self).file_validators)

    def validate_size(self, file: File) -> None:
        """Reject an empty file or one larger than ``max_size``."""
        _files.validate_size(file, self.max_size)

    def validate_extension(self, file: File) -> None:
        """Reject a file whose extension is not in ``allowed_extensions``."""
        _files.validate_extension(file, self.allowed_extensions)

    def validate_filename(self, file: File) -> None:
        """Reject an unsafe filename, or sanitize it when ``sanitize_filename`` is set."""
        _files.validate_filename(file, self.sanitize_filename)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> File:
        file = _files.as_file(value)
        if file is None:
            raise self.make_error("invalid")
        try:
            _files.run_validators(self, self.active_file_validators, file)
        except FileCheckError as exc:
            raise ValidationError(str(exc)) from None
        return file

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return getattr(value, "filename", value)
