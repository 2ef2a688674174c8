"""Every Python block in ``docs/`` (and ``README.md``) runs, or says why it cannot.

A page is read as a reader pastes it: its Python blocks run in order in one namespace,
so a block may use what an earlier block of the same page defined (``app`` from the
first block, a schema from the one before). The test of a block runs every earlier
runnable block of its page, then the block itself, in an empty temporary directory, as a
module named ``docs_sample`` (so ``if __name__ == "__main__": app.run()`` does not
serve). The environment holds ``SECRET_KEY`` (pages that need one tell the reader to set
it) and no ``ALCHEMICAL_*`` or ``DYNE_*`` settings. Top-level ``await`` is allowed. The
``test_*`` functions a block defines that take no arguments are called, as pytest would.
When the namespace ends with an ``app`` (a ``dyne.App``), its test client is opened and
closed, so its startup and shutdown events run too. A sample that starts a server fails.
A second test reads each block with ruff for names nothing on the page defines, even
inside a function body that running the block never enters.

A page talks to this runner with an HTML comment on the line just before a fence (blank
lines in between are allowed; the comment does not show on the site):

``<!-- not-runnable: REASON -->``
    The block is not run, and later blocks do not see it; its test is skipped with
    REASON, which must not be empty. For the lines of a view's body shown alone, a
    decorator line shown alone, code that needs a server the suite does not provide.

``<!-- new-program -->``
    The block starts afresh: it, and the blocks after it, do not see the blocks before
    it. For a page that shows several independent programs.

``<!-- standalone -->``
    The block runs by itself, and the blocks after it do not see it. For an alternative
    shown beside the page's program (the same schema in another library).

``<!-- output -->``
    On a ``text`` (or unlabelled) fence right after a Python block: what the Python
    block prints. The test compares the block's standard output with it. (After a
    ``bash`` block of the tutorial: what its ``curl`` commands print, checked by
    ``test_tutorial.py`` against the step's app.)

Any other comment before a fence is ordinary Markdown and means nothing here. A line
``--8<-- "path/from/the/repository.py"`` (pymdownx.snippets, as the tutorial uses it) is
replaced by that file, on the site and here alike.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import importlib.util
import inspect
import io
import json
import os
import re
import secrets
import subprocess
import sys
import types

import pytest

from docs_blocks import Block, collect
from support import forgetting_models

BLOCKS = collect()


def run_source(code: str, namespace: dict, filename: str) -> None:
    """Run ``code`` in ``namespace``; top-level ``await`` runs in a fresh event loop."""
    compiled = compile(code, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(compiled, namespace)
    if inspect.iscoroutine(result):
        asyncio.run(result)


def refuse_to_serve(*args, **kwargs):
    """Stands for uvicorn.run while a sample runs: a sample must not start a server."""
    raise RuntimeError(
        "This docs sample starts a server; put app.run() under "
        "'if __name__ == \"__main__\":' or mark the block <!-- not-runnable: ... -->."
    )


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """An empty working directory and an environment and ``sys.path`` restored after."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "environ", os.environ.copy())
    # The one setting pages tell the reader to have in the environment.
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(32))
    for name in [name for name in os.environ if name.startswith(("ALCHEMICAL_", "DYNE_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    monkeypatch.setattr("uvicorn.run", refuse_to_serve)
    modules = set(sys.modules)
    # Pages define the same SQLAlchemy models in several tests: unmap them after each.
    has_sqlalchemy = importlib.util.find_spec("sqlalchemy") is not None
    with forgetting_models() if has_sqlalchemy else contextlib.nullcontext():
        yield tmp_path
    for name in set(sys.modules) - modules:
        origin = getattr(sys.modules[name], "__file__", None) or ""
        if origin.startswith(str(tmp_path)):
            del sys.modules[name]


def test_docs_samples_found():
    assert len(BLOCKS) > 40, [b.id for b in BLOCKS]


def test_docs_samples_markers_are_well_formed():
    problems = [b.id for b in BLOCKS if b.marker == "not-runnable" and not b.reason]
    assert problems == [], "these blocks carry a not-runnable marker without a reason"


def undefined_names(block: Block) -> list[str]:
    """Names ``block`` uses that neither it nor the blocks it continues define or import,
    inside function bodies too (where running the block would not notice them)."""
    from ruff.__main__ import find_ruff_bin

    earlier = "".join(b.code for b in block.chain)
    command = ["check", "--isolated", "--select", "F821", "--output-format", "json"]
    result = subprocess.run(
        [find_ruff_bin(), *command, "--stdin-filename", "docs_sample.py", "-"],
        input=earlier + block.code,
        capture_output=True,
        text=True,
        check=False,
    )
    offset = earlier.count("\n")
    return sorted(
        {
            problem["message"]
            for problem in json.loads(result.stdout)
            if problem["location"]["row"] > offset
        }
    )


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.id)
def test_docs_sample_defines_every_name(block: Block):
    if block.marker == "not-runnable":
        pytest.skip(block.reason)
    pytest.importorskip("ruff")
    assert undefined_names(block) == [], (
        "define or import these names in the block (or in an earlier block of the page), "
        "so a reader can paste it"
    )


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.id)
def test_docs_sample_runs(block: Block, isolated, monkeypatch):
    if block.marker == "not-runnable":
        pytest.skip(block.reason)
    if re.search(r"^\s*(from|import) fastapi\b", block.code, re.MULTILINE):
        # FastAPI is a test tool only (the comparison pages); the lowest-versions CI run has none.
        pytest.importorskip("fastapi")
    module = types.ModuleType("docs_sample")
    monkeypatch.setitem(sys.modules, "docs_sample", module)
    namespace = module.__dict__
    stdout = io.StringIO()
    for earlier in block.chain:
        try:
            run_source(earlier.code, namespace, earlier.id)
        except Exception as exc:
            pytest.fail(f"an earlier block of the page, {earlier.id}, fails: {exc!r}")
    with contextlib.redirect_stdout(stdout):
        run_source(block.code, namespace, block.id)
    for name, value in list(namespace.items()):
        code = getattr(value, "__code__", None)
        if (
            name.startswith("test_")
            and code is not None
            and code.co_filename == block.id
            and code.co_argcount == 0
        ):
            with contextlib.redirect_stdout(stdout):
                value()
    app = namespace.get("app")
    if type(app).__module__.startswith("dyne") and hasattr(app, "client"):
        app.client.close()
    if block.output is not None:
        assert stdout.getvalue().strip() == block.output.strip()
