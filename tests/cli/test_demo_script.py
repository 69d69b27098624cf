"""``scripts/demo.sh``: serves where HOST/PORT say and prints that URL, and ``--reset``
starts over. (That the demo's needs stay in the future is tested in test_demo_refresh.py.)"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(tmp_path: Path, port: int, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PORT": str(port),
           "YIZHAN_DATABASE_URL": f"sqlite:///{tmp_path}/demo.db", "YIZHAN_JOBS_INTERVAL": "0"}
    env.pop("YIZHAN_PUBLIC_URL", None)
    return subprocess.Popen(["bash", "scripts/demo.sh", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def wait_until_served(port: int, process: subprocess.Popen) -> dict:
    query = {"query": '{ community(slug: "shuixie") { name } }'}
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            response = httpx.post(f"http://127.0.0.1:{port}/graphql", json=query, timeout=2)
            if response.status_code == 200:
                return response.json()
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail("the demo did not answer within 90 s")


def stop(process: subprocess.Popen) -> str:
    os.killpg(process.pid, signal.SIGTERM)
    out, _ = process.communicate(timeout=30)
    return out


@pytest.mark.skipif(os.environ.get("YIZHAN_TEST_DATABASE_URL", "").startswith("postgres"),
                    reason="the demo script serves SQLite; run once, on the SQLite pass")
def test_demo_script_prints_the_url_it_serves_and_resets(tmp_path):
    port = free_port()
    process = start(tmp_path, port)
    try:
        answer = wait_until_served(port, process)
    finally:
        out = stop(process)
    assert answer["data"]["community"]["name"] == "水榭花都时间驿站"
    assert f"Open http://127.0.0.1:{port}/graphql" in out
    assert "http://127.0.0.1:8000" not in out
    assert "PUBLIC_URL_UNSET" not in out  # the demo links to where it is served

    again = start(tmp_path, port, "--reset")
    try:
        wait_until_served(port, again)
    finally:
        out = stop(again)
    assert "the demo starts over" in out
