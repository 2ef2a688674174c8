"""Fetching GraphiQL's files: pinned digests are enforced, npm failures are clear."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from dyne.ext.graphql import assets

FAKE_NPM = """\
#!{python}
# Stands in for `npm pack SPEC --silent --pack-destination DIR`: packs the files that
# FAKE_NPM_FILES maps for SPEC ({{member: text or @path}}), or fails when SPEC is absent.
import io, json, os, sys, tarfile
spec, destination = sys.argv[2], sys.argv[sys.argv.index("--pack-destination") + 1]
files = json.loads(os.environ["FAKE_NPM_FILES"]).get(spec)
if files is None:
    sys.stderr.write("404 Not Found: " + spec)
    sys.exit(1)
name = spec.replace("@", "").replace("/", "-") + ".tgz"
with tarfile.open(os.path.join(destination, name), "w:gz") as archive:
    for member, content in files.items():
        data = open(content[1:], "rb").read() if content.startswith("@") else content.encode()
        info = tarfile.TarInfo("package/" + member)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
"""


@pytest.fixture
def fake_npm(tmp_path, monkeypatch):
    """``fake_npm(files)``: the path of an npm stand-in that packs ``files`` by spec."""
    path = tmp_path / "npm"
    path.write_text(FAKE_NPM.format(python=sys.executable))
    path.chmod(0o755)

    def make(files: dict[str, dict[str, str]]) -> str:
        monkeypatch.setenv("FAKE_NPM_FILES", json.dumps(files))
        return str(path)

    return make


def real_files() -> dict[str, dict[str, str]]:
    """Every manifest file packed from the installed copies."""
    if assets.missing():
        pytest.skip("GraphiQL's files are not installed: python -m dyne.ext.graphql.assets")
    files: dict[str, dict[str, str]] = {}
    for asset in assets.MANIFEST:
        spec = f"{asset.package}@{asset.version}"
        files.setdefault(spec, {})[asset.member] = f"@{assets.asset_dir() / asset.name}"
    return files


def test_fetch_writes_every_verified_file(tmp_path, fake_npm):
    npm = fake_npm(real_files())
    written = assets.fetch(tmp_path / "static", npm=npm)
    assert sorted(p.name for p in written) == sorted(a.name for a in assets.MANIFEST)
    assert assets.missing(tmp_path / "static") == []


def test_fetch_refuses_a_file_whose_digest_differs(tmp_path, fake_npm):
    files: dict[str, dict[str, str]] = {}
    for asset in assets.MANIFEST:
        files.setdefault(f"{asset.package}@{asset.version}", {})[asset.member] = "tampered"
    with pytest.raises(RuntimeError, match="expected sha384-"):
        assets.fetch(tmp_path / "static", npm=fake_npm(files))
    assert list((tmp_path / "static").iterdir()) == []


def test_fetch_reports_an_npm_failure(tmp_path, fake_npm):
    with pytest.raises(RuntimeError, match=r"npm pack .* failed .*404 Not Found"):
        assets.fetch(tmp_path / "static", npm=fake_npm({}))


def test_fetch_without_npm_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match=r"python -m dyne\.ext\.graphql\.assets"):
        assets.fetch(tmp_path / "static")


def test_fetch_does_nothing_when_every_file_is_present(tmp_path, fake_npm):
    folder = tmp_path / "static"
    assets.fetch(folder, npm=fake_npm(real_files()))
    assert assets.fetch(folder, npm=fake_npm({})) == [folder / a.name for a in assets.MANIFEST]


def test_check_command_lists_missing_files_and_fails(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(assets, "asset_dir", lambda: tmp_path)
    assert assets.main(["--check"]) == 1
    assert "missing: graphiql.min.js (graphiql@3.8.3)" in capsys.readouterr().out


def test_command_rejects_unknown_arguments(capsys):
    assert assets.main(["--nope"]) == 2
    assert "usage" in capsys.readouterr().err


def test_cdn_fallback_urls_pin_the_same_versions():
    for asset in assets.MANIFEST:
        assert f"{asset.package}@{asset.version}/{asset.member}" in asset.cdn_url


def test_build_hook_is_configured_for_the_wheel():
    import tomllib

    root = Path(assets.__file__).resolve().parents[4]
    pyproject = root / "pyproject.toml"
    if not pyproject.exists():
        pytest.skip("not running from a source checkout")
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    hook = config["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["custom"]
    assert (root / hook["path"]).is_file()
    assert os.fspath(Path("src/dyne/ext/graphql/static/")) in (root / ".gitignore").read_text()


def test_module_runs_as_a_command_without_warnings():
    import subprocess

    result = subprocess.run(
        [sys.executable, "-W", "error", "-m", "dyne.ext.graphql.assets", "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == (1 if assets.missing() else 0), result.stderr
    assert result.stderr == ""
