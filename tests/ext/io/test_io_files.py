"""File and the filename/size/extension checks (the one copy both FileFields use)."""

from __future__ import annotations

import io
import tracemalloc

import pytest
from starlette.datastructures import Headers, UploadFile

from dyne.ext.io import File
from dyne.ext.io.files import (
    MAX_FILENAME_LENGTH,
    FileCheckError,
    sanitize_filename,
    validate_extension,
    validate_filename,
    validate_size,
)


def _file(name: str = "photo.png", content: bytes = b"data", content_type="image/png") -> File:
    upload = UploadFile(
        io.BytesIO(content),
        size=len(content),
        filename=name,
        headers=Headers({"content-type": content_type}),
    )
    return File(upload)


def test_file_exposes_upload_attributes():
    file = _file("a.PNG", b"12345")
    assert (file.filename, file.content_type, file.size, file.extension) == (
        "a.PNG",
        "image/png",
        5,
        "png",
    )


def test_file_read_returns_content():
    assert _file(content=b"hello").read() == b"hello"


async def _aread(file):
    return await file.aread()


def test_file_aread_returns_content():
    import anyio

    assert anyio.run(_aread, _file(content=b"hi")) == b"hi"


def test_file_save_writes_content_and_creates_parents(tmp_path):
    target = tmp_path / "a" / "b" / "photo.png"
    _file(content=b"pixels").save(target)
    assert target.read_bytes() == b"pixels"


def test_file_save_after_read_writes_everything(tmp_path):
    file = _file(content=b"pixels")
    file.read(3)
    file.save(tmp_path / "x.png")
    assert (tmp_path / "x.png").read_bytes() == b"pixels"


def test_file_save_to_file_object():
    out = io.BytesIO()
    _file(content=b"abc").save(out)
    assert out.getvalue() == b"abc"


def test_file_asave_writes_content(tmp_path):
    import anyio

    file = _file(content=b"async")
    anyio.run(file.asave, tmp_path / "a.png")
    assert (tmp_path / "a.png").read_bytes() == b"async"


def test_file_save_streams_without_loading_whole_file(tmp_path):
    content = b"x" * (8 * 1024 * 1024)
    source = tmp_path / "big.bin"
    source.write_bytes(content)
    with source.open("rb") as handle:
        file = File(UploadFile(handle, size=len(content), filename="big.bin"))
        tracemalloc.start()
        file.save(tmp_path / "copy.bin")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert (tmp_path / "copy.bin").stat().st_size == len(content)
    assert peak < 1024 * 1024


def test_file_save_failure_leaves_no_file(tmp_path):
    class Broken(io.BytesIO):
        def read(self, *args):
            raise OSError("disk gone")

    file = File(UploadFile(Broken(b"abc"), size=3, filename="a.png"))
    with pytest.raises(OSError, match="disk gone"):
        file.save(tmp_path / "a.png")
    assert list(tmp_path.iterdir()) == []


def test_validate_size_rejects_larger_than_limit():
    with pytest.raises(FileCheckError, match="larger than the limit of 3 bytes"):
        validate_size(_file(content=b"1234"), 3)


def test_validate_size_accepts_up_to_limit():
    validate_size(_file(content=b"123"), 3)


def test_validate_size_rejects_empty_file():
    with pytest.raises(FileCheckError, match="empty"):
        validate_size(_file(content=b""), None)


def test_validate_extension_is_case_insensitive():
    validate_extension(_file("PHOTO.JPG"), ["jpg", ".PNG"])


@pytest.mark.parametrize("name", ["shell.php", "photo.png.exe", "png", "photo."])
def test_validate_extension_rejects_others(name):
    with pytest.raises(FileCheckError, match="allowed extensions are: jpg, png"):
        validate_extension(_file(name), {"png", "jpg"})


def test_validate_extension_none_allows_any():
    validate_extension(_file("a.anything"), None)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "../../etc/passwd",
        "..\\..\\win.ini",
        "a/b.png",
        "..png",
        "a\x00.png",
        "a\r\nb.png",
        "a\x7f.png",
        ".htaccess",
        "\uff45vil.png",  # full-width look-alike
        "a\u2215b.png",  # division slash
        "résumé.png",
        "x" * 300 + ".png",
        "CON.png",
        "nul",
        "a:b.png",
        "a?.png",
        "photo.png.",
    ],
)
def test_validate_filename_rejects_unsafe(name):
    with pytest.raises(FileCheckError, match="Unsafe filename"):
        validate_filename(_file(name))


@pytest.mark.parametrize("name", ["photo.png", "my-photo_2.final.JPG", "a b.png"])
def test_validate_filename_accepts_safe(name):
    file = _file(name)
    validate_filename(file)
    assert file.filename == name


def test_validate_filename_sanitize_replaces_name():
    file = _file("../../Résumé final.pdf")
    validate_filename(file, sanitize=True)
    assert file.filename == "Resume_final.pdf"


@pytest.mark.parametrize(
    "name",
    [
        "",
        "..",
        "../../etc/passwd",
        "..\\..\\win.ini",
        "a\x00b\r\n.png",
        "\uff0e\uff0e\uff0f\uff0e\uff0e\uff0fetc\uff0fpasswd",  # full-width dots and solidus
        "\u2025\u2215secret",  # two-dot leader and division slash
        "x" * 300 + ".png",
        "CON.png",
        ".htaccess",
        "日本語.png",
    ],
)
def test_sanitize_filename_is_always_a_safe_plain_name(name):
    safe = sanitize_filename(name)
    assert safe
    assert len(safe) <= MAX_FILENAME_LENGTH
    validate_filename(_file(safe))  # passes the strict rules


def test_sanitize_filename_keeps_the_extension_of_long_names():
    assert sanitize_filename("x" * 300 + ".png").endswith(".png")


def test_sanitize_filename_lands_inside_target_directory(tmp_path):
    for name in ["../../escape.png", "..\\..\\escape.png", "\uff0fetc\uff0fescape.png", "/abs.png"]:
        target = (tmp_path / sanitize_filename(name)).resolve()
        assert target.parent == tmp_path.resolve()
