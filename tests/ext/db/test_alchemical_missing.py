"""Without the ``sqlalchemy`` extra, importing the extension names the extra to install."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dyne.exceptions import MissingDependency


def _forget_extension(monkeypatch):
    for name in list(sys.modules):
        if name.startswith("dyne.ext.db"):
            monkeypatch.delitem(sys.modules, name)


@pytest.mark.parametrize("package", ["alchemical", "sqlalchemy"])
def test_missing_dependency_names_the_extra(monkeypatch, package):
    _forget_extension(monkeypatch)
    monkeypatch.setitem(sys.modules, package, None)
    with pytest.raises(MissingDependency) as info:
        import dyne.ext.db.alchemical  # noqa: F401
    assert info.value.extra == "sqlalchemy"
    assert 'pip install "dyne[sqlalchemy]"' in str(info.value)


def test_missing_driver_names_the_extra(app, monkeypatch, tmp_path):
    from dyne.ext.db.alchemical import Alchemical

    monkeypatch.setitem(sys.modules, "aiosqlite", None)
    monkeypatch.setenv("ALCHEMICAL_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(MissingDependency, match=r"dyne\[sqlalchemy\]"):
        Alchemical(app)


def test_missing_dependency_leaves_other_extensions_importable():
    # In a child process, so that re-importing the other extensions touches nothing here.
    script = """
import subprocess
import sys
sys.modules["sqlalchemy"] = None
sys.modules["alchemical"] = None
from dyne.exceptions import MissingDependency
for name in ("dyne.ext.auth", "dyne.ext.io", "dyne.ext.openapi", "dyne.ext.graphql"):
    try:
        __import__(name)
    except MissingDependency as exc:
        assert exc.extra != "sqlalchemy", (name, exc)
try:
    import dyne.ext.db.alchemical
except MissingDependency as exc:
    print(exc.extra)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "sqlalchemy"
