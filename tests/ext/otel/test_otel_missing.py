"""Without the ``otel`` extra, importing dyne.ext.otel names the extra to install."""

from __future__ import annotations

import sys

import pytest

from dyne.exceptions import MissingDependency


def test_otel_missing_dependency_names_the_extra(monkeypatch):
    for name in list(sys.modules):
        if name.startswith("dyne.ext.otel"):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    with pytest.raises(MissingDependency) as info:
        import dyne.ext.otel  # noqa: F401
    assert info.value.extra == "otel"
    assert 'pip install "dyne[otel]"' in str(info.value)


def test_otel_core_works_without_opentelemetry(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    import dyne

    app = dyne.App(request_id=True, access_log=True, problem_details=True)
    app.health()
    assert app.client.get("/health/live").status_code == 200
