"""The tutorial's application, step by step: each step's file in examples/tutorial/ runs
and does what its page says; step 6 (the app's own tests) passes on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser_support import serve
from docs_blocks import DOCS, output_of, parse_blocks
from support import forgetting_models, load_module

TUTORIAL = Path(__file__).resolve().parent.parent / "examples" / "tutorial"
TOKEN = {"Authorization": "Bearer tutorial-token"}
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def step(tmp_path, monkeypatch) -> Iterator:
    """Load ``examples/tutorial/<name>.py`` fresh, in an empty directory (so SQLite's
    tasks.db lands there); its client is closed and its models forgotten after."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("API_TOKEN", "tutorial-token")
    monkeypatch.delenv("ALCHEMICAL_DATABASE_URL", raising=False)
    loaded = []

    def load(name: str):
        module = load_module(TUTORIAL / f"{name}.py", f"tutorial_{name}")
        loaded.append(module)
        return module.app

    with forgetting_models():
        yield load
        for module in loaded:
            if module.app._client is not None:
                module.app._client.close()
            sys.modules.pop(module.__name__, None)


def test_tutorial_step1_creates_and_reads_a_task(step):
    client = step("step1_routes").client
    created = client.post("/tasks", json={"title": "Learn Dyne"})
    assert created.status_code == 201
    assert client.get("/tasks/1").json() == {"id": 1, "title": "Learn Dyne", "done": False}


def test_tutorial_step1_missing_task_is_404(step):
    assert step("step1_routes").client.get("/tasks/7").status_code == 404


def test_tutorial_step2_rejects_an_empty_title(step):
    response = step("step2_validation").client.post("/tasks", json={"title": ""})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["title"]


def test_tutorial_step2_patch_ticks_a_task_off(step):
    client = step("step2_validation").client
    client.post("/tasks", json={"title": "Tick me"})
    assert client.patch("/tasks/1", json={"done": True}).json()["done"] is True


def test_tutorial_step3_keeps_tasks_in_sqlite(step, tmp_path):
    client = step("step3_database").client
    client.post("/tasks", json={"title": "Persist me"})
    assert (tmp_path / "tasks.db").is_file()
    assert client.get("/tasks").json() == [{"id": 1, "title": "Persist me", "done": False}]


def test_tutorial_step4_refuses_writes_without_the_token(step):
    client = step("step4_auth").client
    assert client.post("/tasks", json={"title": "No"}).status_code == 401
    assert client.get("/tasks").json() == []


def test_tutorial_step4_accepts_writes_with_the_token(step):
    client = step("step4_auth").client
    assert client.post("/tasks", json={"title": "Yes"}, headers=TOKEN).status_code == 201


def test_tutorial_step4_needs_an_api_token(step, monkeypatch):
    monkeypatch.delenv("API_TOKEN")
    with pytest.raises(RuntimeError, match="API_TOKEN"):
        step("step4_auth")


def test_tutorial_step5_serves_docs_and_openapi(step):
    client = step("step5_openapi").client
    assert client.get("/docs").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"] == "Tasks"


def run_step6(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """Run the tutorial's own test file with pytest, as its page tells readers to."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(TUTORIAL)],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_tutorial_step6_tests_pass_on_sqlite(tmp_path, monkeypatch):
    monkeypatch.delenv("ALCHEMICAL_DATABASE_URL", raising=False)
    result = run_step6({}, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 passed" in result.stdout


def _postgres(url: str, sql: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)

    async def execute() -> None:
        connection = await asyncpg.connect(
            host=parsed.host or "127.0.0.1",
            port=parsed.port or 5432,
            user=parsed.username or "postgres",
            password=parsed.password,
            database=parsed.database or "postgres",
            timeout=5,
        )
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, execute()).result(timeout=60)


@pytest.mark.postgres
def test_tutorial_step6_tests_pass_on_postgresql(tmp_path):
    pytest.importorskip("asyncpg")
    url = os.environ.get("DYNE_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    schema = f"dyne_tutorial_{uuid.uuid4().hex[:12]}"
    try:
        _postgres(url, f'CREATE SCHEMA "{schema}"')
    except Exception as exc:
        reason = f"PostgreSQL at {url} is unreachable ({exc!r}); set DYNE_TEST_POSTGRES_URL"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    options = {"connect_args": {"server_settings": {"search_path": schema}}}
    try:
        env = {"ALCHEMICAL_DATABASE_URL": url, "ALCHEMICAL_ENGINE_OPTIONS": json.dumps(options)}
        result = run_step6(env, tmp_path)
    finally:
        _postgres(url, f'DROP SCHEMA "{schema}" CASCADE')
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 passed" in result.stdout


def shell_samples() -> list:
    """The tutorial's shell blocks that show what they print (an ``<!-- output -->``)."""
    samples = []
    for page in sorted((DOCS / "tutorial").glob("*.md")):
        blocks = parse_blocks(page)
        for block in blocks:
            expected = output_of(blocks, block)
            if block.lang == "bash" and expected is not None:
                samples.append(pytest.param(block, expected, id=block.id))
    return samples


def curl_commands(script: str, base_url: str) -> list[list[str]]:
    """Each ``curl`` command of ``script`` (continuation lines joined), sent to
    ``base_url`` instead of localhost:5042, silently."""
    lines = script.replace("\\\n", " ").splitlines()
    return [
        ["curl", "-s", *shlex.split(line.replace("localhost:5042", base_url))[1:]]
        for line in lines
        if line.startswith("curl ")
    ]


def test_tutorial_has_shell_samples_to_check():
    assert len(shell_samples()) >= 3


@pytest.mark.parametrize(("block", "expected"), shell_samples())
def test_tutorial_shell_sample_prints_what_the_page_shows(step, monkeypatch, block, expected):
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    for name, value in re.findall(r"^export (\w+)=(\S+)$", block.code, re.MULTILINE):
        monkeypatch.setenv(name, value)
    app = step(re.search(r"^python (\w+)\.py$", block.code, re.MULTILINE)[1])
    with serve(app) as base_url:
        printed = [
            subprocess.run(command, capture_output=True, text=True, timeout=30, check=True).stdout
            for command in curl_commands(block.code, base_url.removeprefix("http://"))
        ]
    assert "\n".join(out.rstrip("\n") for out in printed) == expected.strip()
