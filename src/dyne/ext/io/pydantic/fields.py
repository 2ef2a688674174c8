"""``FileField`` for pydantic models: an uploaded file, checked on the way in.

Configure it by subclassing (``max_size``, ``allowed_extensions``, ``sanitize_filename``)
and extend it by adding classmethod names to ``file_validators``; each validator receives
the :class:`~dyne.ext.io.File` and raises ``ValueError`` to reject it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from dyne.ext.io import files as _files
from dyne.ext.io.files import File

__all__ = ["FileField"]


def _filename_of(file: File) -> str:
    return file.filename


class FileField:
    """An uploaded file in a pydantic model; the field's value is a :class:`File`.

    >>> class Image(FileField):
    ...     max_size = 5 * 1024 * 1024
    ...     allowed_extensions = {"jpg", "png"}
    """

    #: the largest accepted size in bytes (None: no limit beyond the app's body limit)
    max_size: ClassVar[int | None] = None
    #: accepted extensions, case-insensitive, without the dot (None: any)
    allowed_extensions: ClassVar[Iterable[str] | None] = None
    #: replace unsafe filenames with safe ASCII ones instead of rejecting them
    sanitize_filename: ClassVar[bool] = False
    #: names of the classmethods run on every file, in order
    file_validators: ClassVar[list[str]] = [
        "validate_filename",
        "validate_size",
        "validate_extension",
    ]

    @classmethod
    def validate_size(cls, file: File) -> None:
        """Reject an empty file or one larger than :attr:`max_size`."""
        _files.validate_size(file, cls.max_size)

    @classmethod
    def validate_extension(cls, file: File) -> None:
        """Reject a file whose extension is not in :attr:`allowed_extensions`."""
        _files.validate_extension(file, cls.allowed_extensions)

    @classmethod
    def validate_filename(cls, file: File) -> None:
        """Reject an unsafe filename, or sanitize it when :attr:`sanitize_filename` is set."""
        _files.validate_filename(file, cls.sanitize_filename)

    @classmethod
    def _validate_file(cls, value: Any) -> File:
        file = _files.as_file(value)
        if file is None:
            raise ValueError(
                f"Expected an uploaded file (a multipart/form-data file part), "
                f"got {type(value).__name__}"
            )
        _files.run_validators(cls, cls.file_validators, file)
        return file

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._validate_file,
            serialization=core_schema.plain_serializer_function_ser_schema(
                _filename_of, when_used="json"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "format": "binary"}
