"""Real Redis for the scale-out tests: a URL with a key prefix unique to each test.

Tests read DYNE_TEST_REDIS_URL (default redis://127.0.0.1:6379/0). Without a reachable
Redis they are skipped, except under CI=true, where they fail: CI must run them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from support import free_port

__all__ = [
    "REDIS_URL",
    "free_port",
    "prefix",
    "private_redis",
    "redis",
    "redis_client",
    "unique_prefix",
]

REDIS_URL = os.environ.get("DYNE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must run the Redis tests (start redis-server in .ci/run).")
    pytest.skip(reason)


def redis_client(url: str = REDIS_URL):
    """A client for ``url`` that has answered PING (else the test is skipped or fails)."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
        _unavailable(f"Redis at {url} is not reachable ({exc})")
    return client


@contextmanager
def unique_prefix(client) -> Iterator[str]:
    """A key prefix no other test uses; every key under it is deleted afterwards."""
    prefix = f"dyne-test-{uuid.uuid4().hex}:"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)


@contextmanager
def private_redis(tmp_path) -> Iterator[str]:
    """A redis-server of our own on a free port (a test may shut it down); its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        _unavailable("redis-server is not installed")
    port = free_port()
    options = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(
        [str(binary), *options, "--dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        # redis-server says when it listens; it exits (EOF) if it cannot start.
        for line in process.stdout:
            if "Ready to accept connections" in line:
                break
        else:
            raise AssertionError(f"redis-server on port {port} did not start")
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.kill()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


# Fixtures for the folders whose conftest.py imports them (tests/ext/redis, tests/ext/tasks).


@pytest.fixture
def redis():
    """A client of the test Redis (skipped, or failed under CI, when it is not reachable)."""
    client = redis_client()
    yield client
    client.close()


@pytest.fixture
def prefix(redis):
    """A key prefix of this test's own; its keys are deleted afterwards."""
    with unique_prefix(redis) as prefix:
        yield prefix
