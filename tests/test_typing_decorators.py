"""Decorators keep the view's signature for editors: mypy reveals each decorated view of
tests/typecheck/decorated_views.py with its own parameters (see that file)."""

from __future__ import annotations

import re

from test_quality import ROOT, run, tool

SAMPLE = "tests/typecheck/decorated_views.py"
REQ_RESP = "req: dyne.request.Request, resp: dyne.response.Response"


def revealed() -> dict[str, str]:
    """Each revealed view's name (from the source line above) → its revealed type."""
    result = run(tool("mypy"), SAMPLE)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = (ROOT / SAMPLE).read_text(encoding="utf-8").splitlines()
    found = {}
    for match in re.finditer(r":(\d+): note: Revealed type is \"(.*)\"", result.stdout):
        name = re.fullmatch(r"reveal_type\((\w+)\)", lines[int(match[1]) - 1])
        assert name is not None, match[0]
        found[name[1]] = match[2]
    return found


def test_typing_decorators_keep_every_view_signature():
    views = revealed()
    coroutine = "typing.Coroutine[Any, Any, Any]"
    assert views == {
        "plain": f"def ({REQ_RESP}, *, slug: str) -> typing.Coroutine[Any, Any, None]",
        "not_found": f"def ({REQ_RESP}, exc: Exception) -> typing.Coroutine[Any, Any, None]",
        "guarded": f"def ({REQ_RESP}, *, item_id: int) -> {coroutine}",
        "members": f"def ({REQ_RESP}, *, page: int) -> {coroutine}",
        "admins": f"def ({REQ_RESP}, *, page: int) -> {coroutine}",
        "create": f"def ({REQ_RESP}, *, data: decorated_views.Item) -> {coroutine}",
        "show": f"def ({REQ_RESP}, *, item_id: int) -> {coroutine}",
        "find": f"def ({REQ_RESP}, *, item_id: int) -> typing.Coroutine[Any, Any, None]",
        "hook": f"def ({REQ_RESP}) -> typing.Coroutine[Any, Any, None]",
        "named_hook": f"def ({REQ_RESP}) -> typing.Coroutine[Any, Any, None]",
        "save": f"def ({REQ_RESP}, *, count: int) -> typing.Coroutine[Any, Any, str]",
    }
