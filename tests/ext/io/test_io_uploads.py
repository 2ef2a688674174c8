"""Uploads through @input and a FileField, the same for both libraries (``lib``)."""

from __future__ import annotations

import pytest

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


@pytest.fixture
def saved(tmp_path):
    """The directory the upload views save into."""
    directory = tmp_path / "uploads"
    directory.mkdir()
    return directory


def _upload_route(app, lib, saved, schema=None):
    @app.route("/upload", methods=["POST"])
    @lib.input(schema or lib.Upload, location="form")
    async def upload(req, resp, *, data):
        image = data.pop("image")
        await image.asave(saved / image.filename)
        resp.media = {"filename": image.filename, "size": image.size, "rest": dict(data)}


def _post(client, name, content=PNG, content_type="image/png", **data):
    return client.post("/upload", files={"image": (name, content, content_type)}, data=data)


def test_upload_valid_file_is_saved(app, client, lib, saved):
    _upload_route(app, lib, saved)
    r = _post(client, "photo.png", description="sunset")
    assert r.status_code == 200
    assert r.json() == {
        "filename": "photo.png",
        "size": len(PNG),
        "rest": {"description": "sunset"},
    }
    assert (saved / "photo.png").read_bytes() == PNG


def test_upload_media_location_accepts_multipart(app, client, lib, saved):
    @app.route("/upload", methods=["POST"])
    @lib.input(lib.Upload)
    async def upload(req, resp, *, data):
        resp.media = {"size": data.image.size}

    assert _post(client, "photo.png").json() == {"size": len(PNG)}


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "..\\..\\win.ini",
        "x" * 300 + ".png",
        "\uff50hoto.png",
        ".png",
    ],
)
def test_upload_unsafe_filename_is_400_and_not_saved(app, client, lib, saved, name):
    _upload_route(app, lib, saved)
    r = _post(client, name)
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["image"]
    assert list(saved.iterdir()) == []


def _raw_upload(client, filename: bytes):
    # Written by hand: HTTP clients escape control characters in filenames.
    body = (
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="image"; filename="' + filename + b'"\r\n'
        b"Content-Type: image/png\r\n\r\n" + PNG + b"\r\n--XyZ--\r\n"
    )
    return client.post(
        "/upload", content=body, headers={"content-type": "multipart/form-data; boundary=XyZ"}
    )


@pytest.mark.parametrize("filename", [b"a\x00.png", b"a\rb.png", b"a\nb.png", b"a\r\nb.png"])
def test_upload_control_characters_in_filename_are_400(app, client, lib, saved, filename):
    _upload_route(app, lib, saved)
    r = _raw_upload(client, filename)
    assert r.status_code == 400
    assert list(saved.iterdir()) == []


@pytest.mark.parametrize(
    "name",
    ["../../escape.png", "..\\..\\win.png", "a\x00b.png", "x" * 300 + ".png", "\uff50hoto.png"],
)
def test_upload_sanitized_filename_lands_inside_directory(app, client, lib, saved, name):
    _upload_route(app, lib, saved, lib.SafeUpload)
    r = _post(client, name)
    assert r.status_code == 200
    files = list(saved.iterdir())
    assert len(files) == 1
    assert files[0].parent == saved
    assert files[0].name == r.json()["filename"]
    assert len(files[0].name) <= 255


def test_upload_oversized_file_is_400_with_field_error(app, client, lib, saved):
    _upload_route(app, lib, saved)
    r = _post(client, "big.png", content=b"x" * 2048)
    assert r.status_code == 400
    assert "1024" in r.json()["errors"]["image"][0]
    assert list(saved.iterdir()) == []


def test_upload_past_body_limit_is_413(tmp_path, monkeypatch, lib, saved):
    import dyne

    monkeypatch.chdir(tmp_path)
    app = dyne.App(max_body_size=4096)
    _upload_route(app, lib, saved)
    assert _post(app.client, "big.png", content=b"x" * 10_000).status_code == 413
    assert list(saved.iterdir()) == []


def test_upload_disallowed_extension_with_image_content_type_is_400(app, client, lib, saved):
    _upload_route(app, lib, saved)
    r = _post(client, "shell.php", content=b"<?php system($_GET['c']);", content_type="image/png")
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["image"]
    assert list(saved.iterdir()) == []


def test_upload_extension_check_is_case_insensitive(app, client, lib, saved):
    _upload_route(app, lib, saved)
    assert _post(client, "PHOTO.PNG").status_code == 200


def test_upload_empty_file_is_400(app, client, lib, saved):
    _upload_route(app, lib, saved)
    r = _post(client, "empty.png", content=b"")
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["image"]


def test_upload_empty_unnamed_part_counts_as_missing(app, client, lib, saved):
    _upload_route(app, lib, saved)
    r = _post(client, "", content=b"", content_type="application/octet-stream")
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["image"]


def test_upload_missing_file_is_400(app, client, lib, saved):
    _upload_route(app, lib, saved)
    r = client.post("/upload", data={"description": "no file"})
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["image"]


def test_upload_text_instead_of_file_is_400(app, client, lib, saved):
    _upload_route(app, lib, saved)
    r = client.post("/upload", files={"description": (None, "x"), "image": (None, "not a file")})
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["image"]


def test_upload_cut_off_mid_file_is_400_and_nothing_saved(app, client, lib, saved):
    _upload_route(app, lib, saved)
    body = (
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="image"; filename="photo.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + PNG[:20]
    )
    r = client.post(
        "/upload", content=body, headers={"content-type": "multipart/form-data; boundary=XyZ"}
    )
    assert r.status_code == 400
    assert list(saved.iterdir()) == []


def test_upload_sync_save_in_sync_view(app, client, lib, saved):
    @app.route("/upload", methods=["POST"])
    @lib.input(lib.Upload, location="form")
    def upload(req, resp, *, data):
        data.image.save(saved / data.image.filename)
        resp.media = {"ok": True}

    assert _post(client, "photo.png").json() == {"ok": True}
    assert (saved / "photo.png").read_bytes() == PNG
