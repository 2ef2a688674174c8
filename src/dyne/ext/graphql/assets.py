"""The GraphiQL page's JavaScript and CSS: which files, where they live, how to fetch them.

Dyne serves GraphiQL from the application itself, so the page works offline and behind
firewalls. The files are third-party code and are never committed: they are taken from
the npm packages listed in :data:`MANIFEST` with the ``npm`` command (``npm pack``), when
the wheel is built (a hatch build hook calls :func:`fetch`) or by hand::

    python -m dyne.ext.graphql.assets            # fetch into the installed package
    python -m dyne.ext.graphql.assets --check    # exit 1 unless every file is present

Every file is checked against its pinned sha384 digest before it is written; the same
digests are the subresource-integrity hashes used when the page falls back to a CDN.

This module uses only the standard library: the build hook loads it by path, before
Dyne or GraphQL are installed.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MANIFEST", "Asset", "asset_dir", "fetch", "main", "missing", "read"]


@dataclass(frozen=True, slots=True)
class Asset:
    """One file of the GraphiQL page, taken from an npm package at a pinned version."""

    name: str  #: the file name Dyne serves it under
    package: str  #: the npm package
    version: str  #: its exact version
    member: str  #: the path inside the package
    integrity: str  #: ``sha384-<base64>`` of the file

    @property
    def cdn_url(self) -> str:
        """Where a CDN mirrors the same file (used only when the local copy is absent)."""
        return f"https://cdn.jsdelivr.net/npm/{self.package}@{self.version}/{self.member}"


#: The page's files, in the order the page loads them.
MANIFEST: tuple[Asset, ...] = (
    Asset(
        "react.production.min.js",
        "react",
        "18.2.0",
        "umd/react.production.min.js",
        "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    ),
    Asset(
        "react-dom.production.min.js",
        "react-dom",
        "18.2.0",
        "umd/react-dom.production.min.js",
        "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    ),
    Asset(
        "graphiql.min.js",
        "graphiql",
        "3.8.3",
        "graphiql.min.js",
        "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    ),
    Asset(
        "graphiql.min.css",
        "graphiql",
        "3.8.3",
        "graphiql.min.css",
        "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    ),
    Asset(
        "plugin-explorer.umd.js",
        "@graphiql/plugin-explorer",
        "3.2.5",
        "dist/index.umd.js",
        "sha384-5p6hGdlOTvUy6Wf0GauxCz+xM9YB/YYvcGG+bf9msr2eyd+KVIxgRkepHgUijedJ",
    ),
    Asset(
        "plugin-explorer.css",
        "@graphiql/plugin-explorer",
        "3.2.5",
        "dist/style.css",
        "sha384-YN9MumWidbWKuNj8VfH5ggrFvm9YqAoIOMnKYpeGL3dr7Eg1qnQ+SAqSthdNZCjz",
    ),
)


def asset_dir() -> Path:
    """The folder the files are kept in: ``static/`` beside this module."""
    return Path(__file__).resolve().parent / "static"


def _integrity(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def read(asset: Asset, folder: Path | None = None) -> bytes | None:
    """The verified content of ``asset``, or None when it is absent or does not match."""
    path = (folder or asset_dir()) / asset.name
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if _integrity(data) == asset.integrity else None


def missing(folder: Path | None = None) -> list[Asset]:
    """The assets that are absent from ``folder`` (or whose content fails its check)."""
    return [asset for asset in MANIFEST if read(asset, folder) is None]


def fetch(folder: Path | None = None, *, npm: str | None = None) -> list[Path]:
    """Download the missing assets with ``npm pack`` into ``folder`` and return the files.

    Raises :class:`RuntimeError` when npm is not installed, a package cannot be fetched,
    or a file does not match its pinned sha384 digest (nothing unverified is written).
    """
    folder = folder or asset_dir()
    todo = missing(folder)
    if not todo:
        return [folder / asset.name for asset in MANIFEST]
    npm = npm or shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "The npm command is needed to fetch GraphiQL's files but was not found; "
            "install Node.js and npm, then run: python -m dyne.ext.graphql.assets"
        )
    folder.mkdir(parents=True, exist_ok=True)
    packages = sorted({(asset.package, asset.version) for asset in todo})
    with tempfile.TemporaryDirectory() as scratch:
        for package, version in packages:
            tarball = _npm_pack(npm, f"{package}@{version}", Path(scratch))
            with tarfile.open(tarball, "r:gz") as archive:
                for asset in todo:
                    if (asset.package, asset.version) == (package, version):
                        _extract(archive, asset, folder)
    return [folder / asset.name for asset in MANIFEST]


def _npm_pack(npm: str, spec: str, scratch: Path) -> Path:
    before = set(scratch.iterdir())
    result = subprocess.run(
        [npm, "pack", spec, "--silent", "--pack-destination", str(scratch)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    created = [path for path in scratch.iterdir() if path not in before]
    if result.returncode != 0 or len(created) != 1:
        raise RuntimeError(
            f"npm pack {spec} failed ({result.returncode}): {result.stderr.strip()[-500:]}; "
            "check that the npm registry is reachable and retry."
        )
    return created[0]


def _extract(archive: tarfile.TarFile, asset: Asset, folder: Path) -> None:
    member = archive.extractfile(f"package/{asset.member}")
    if member is None:
        raise RuntimeError(f"{asset.package}@{asset.version} has no file {asset.member!r}.")
    data = member.read()
    actual = _integrity(data)
    if actual != asset.integrity:
        raise RuntimeError(
            f"{asset.package}@{asset.version}/{asset.member} has digest {actual}, "
            f"expected {asset.integrity}; the file was not written."
        )
    target = folder / asset.name
    partial = target.with_suffix(target.suffix + ".part")
    partial.write_bytes(data)
    os.replace(partial, target)


def main(argv: list[str] | None = None) -> int:
    """Command line: fetch the assets (or, with ``--check``, report the missing ones)."""
    args = sys.argv[1:] if argv is None else argv
    if args and args != ["--check"]:
        print("usage: python -m dyne.ext.graphql.assets [--check]", file=sys.stderr)
        return 2
    if args == ["--check"]:
        absent = missing()
        for asset in absent:
            print(f"missing: {asset.name} ({asset.package}@{asset.version})")
        return 1 if absent else 0
    try:
        for path in fetch():
            print(path)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
