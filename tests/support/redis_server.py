"""A real `redis-server` on a free loopback port, for the Redis stream store's tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_redis_server() -> str:
    """Its path; a skip on a developer's machine without it, a failure under CI=true."""
    path = shutil.which("redis-server")
    if path is None:
        reason = "redis-server is not installed (Debian: apt-get install redis-server)"
        if IN_CI:
            pytest.fail(f"{reason}; CI=true: the Redis store's tests must run, not skip")
        pytest.skip(reason)
    return path


def start_redis(port: int) -> subprocess.Popen:
    """A throw-away redis-server (no persistence) on `port`, once it accepts connections; the caller
    stops it (a test may kill it and start another on the same port)."""
    process = subprocess.Popen([require_redis_server(), "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return process
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("redis-server did not start")
        time.sleep(0.05)


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """Start a throw-away server on a free port and yield its URL; always stops it."""
    port = _free_port()
    process = start_redis(port)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def stop_redis(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=10)


def kill_when_streamed(process: subprocess.Popen, port: int, events: int) -> threading.Thread:
    """Terminate redis-server once a reply's stream in it holds `events` events (about events / 20 s
    into a reply at 20 tokens/s): mid-reply whatever the machine's speed."""
    import redis

    def watch() -> None:
        client, deadline = redis.Redis(port=port), time.monotonic() + 20
        with contextlib.suppress(redis.RedisError):
            while time.monotonic() < deadline:
                keys = client.keys("streaming-lab:reply:*:events")
                if keys and sum(client.xlen(k) for k in keys) >= events:
                    break
                time.sleep(0.02)
        stop_redis(process)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread
