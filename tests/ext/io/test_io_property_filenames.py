"""Property tests for filenames: whatever a client sends, ``sanitize_filename`` returns a
name Dyne's own ``validate_filename`` accepts, short enough to take a prefix, and
``File.save`` fails with a clear error (never a bare OSError) on a name that is too long."""

from __future__ import annotations

import io
import string

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from starlette.datastructures import Headers, UploadFile

from dyne.ext.io import File
from dyne.ext.io.files import (
    MAX_FILENAME_LENGTH,
    MAX_SANITIZED_LENGTH,
    sanitize_filename,
    validate_filename,
)


def _file(name: str, content: bytes = b"data") -> File:
    upload = UploadFile(
        io.BytesIO(content),
        size=len(content),
        filename=name,
        headers=Headers({"content-type": "application/octet-stream"}),
    )
    return File(upload)


# Names built from the pieces that make filenames dangerous, plus arbitrary text.
_devices = st.sampled_from(["CON", "con", "PRN", "AUX", "NUL", "COM1", "LPT9", "Com\u00b9"])
_pieces = st.sampled_from([".", "..", " ", "/", "\\", "_", "-", ":", "\x00", "\uff0f", "\u2025"])
_dangerous = st.lists(
    st.one_of(_devices, _pieces, st.text(string.ascii_letters + string.digits, max_size=5)),
    max_size=8,
).map("".join)
_names = st.one_of(st.text(max_size=300), _dangerous)


@given(name=_names)
@example(name="CON.tar.gz")
@example(name="CON .txt")
@example(name="LPT9.x.y")
@example(name="COM1_.txt")
@example(name="nul..txt")
def test_sanitize_filename_output_always_passes_validate_filename(name):
    validate_filename(_file(sanitize_filename(name)))


@given(name=_names)
@example(name="x" * 300 + ".png")
def test_sanitize_filename_output_leaves_room_for_a_prefix(name):
    safe = sanitize_filename(name)
    assert len(safe) <= MAX_SANITIZED_LENGTH
    assert len(f"{2**63}-{safe}".encode()) <= MAX_FILENAME_LENGTH


@given(name=_names)
def test_sanitize_filename_is_idempotent(name):
    once = sanitize_filename(name)
    assert sanitize_filename(once) == once


@given(
    stem=st.text(string.ascii_letters, min_size=1, max_size=400),
    extension=st.text(string.ascii_lowercase, min_size=1, max_size=16),
)
def test_sanitize_filename_keeps_a_plain_extension(stem, extension):
    assert sanitize_filename(f"{stem}.{extension}").endswith(f".{extension}")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("CON.tar.gz", "_CON.tar.gz"), ("CON .txt", "_CON.txt"), ("LPT9.x.y", "_LPT9.x.y")],
)
def test_sanitize_filename_prefixes_device_names_before_the_first_dot(name, expected):
    assert sanitize_filename(name) == expected


def test_file_save_with_prefixed_sanitized_name_succeeds(tmp_path):
    name = sanitize_filename("y" * 300 + ".png")
    target = tmp_path / f"{2**63}-{name}"
    _file(name, b"pixels").save(target)
    assert target.read_bytes() == b"pixels"


def test_file_save_too_long_name_is_a_value_error_naming_the_limit(tmp_path):
    with pytest.raises(ValueError, match=f"{MAX_FILENAME_LENGTH} bytes"):
        _file("a.png").save(tmp_path / ("z" * 300 + ".png"))
    assert list(tmp_path.iterdir()) == []


def test_file_save_too_long_path_is_a_value_error(tmp_path):
    deep = tmp_path.joinpath(*["d" * 250] * 20)  # each name fits, the path does not
    with pytest.raises(ValueError, match="path is longer than the file system allows"):
        _file("a.png").save(deep / "a.png")
