"""Running a real ``yizhan serve`` (uvicorn in a subprocess) for end-to-end tests."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import httpx


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServerProcess:
    """A running server: its base URL and process."""

    url: str
    process: subprocess.Popen
    started_in: float

    @property
    def graphql_url(self) -> str:
        """``http://127.0.0.1:PORT/graphql``."""
        return f"{self.url}/graphql"

    @property
    def ws_url(self) -> str:
        """``ws://127.0.0.1:PORT/graphql``."""
        return self.graphql_url.replace("http://", "ws://")

    def stop(self) -> None:
        """Terminate the server and wait for it."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


async def start_server(database_url: str, *, env: dict[str, str] | None = None,
                       timeout: float = 120.0) -> ServerProcess:
    """Start ``yizhan serve`` on a free port and wait until ``/health`` answers."""
    port = free_port()
    child_env = {**os.environ, "YIZHAN_DATABASE_URL": database_url,
                 "YIZHAN_POLL_INTERVAL": "0.1", **(env or {})}
    started = time.perf_counter()
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [sys.executable, "-m", "yizhan.cli.main", "serve", "--port", str(port),
         "--no-migrate", "--log-level", "warning"],
        env=child_env, stdout=subprocess.DEVNULL, stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as client:
        while True:
            if process.poll() is not None:
                log.seek(0)
                err = log.read().decode(errors="replace")
                raise RuntimeError(f"yizhan serve exited early: {err[-2000:]}")
            try:
                if (await client.get(f"{url}/health", timeout=1)).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.perf_counter() - started > timeout:
                process.kill()
                raise RuntimeError("yizhan serve did not answer in time")
            await asyncio.sleep(0.05)
    return ServerProcess(url, process, time.perf_counter() - started)
