"""Running `briefkit serve` as a user does (its own process), and reading what it serves."""

from __future__ import annotations

import http.client
import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from conftest import REPO


@dataclass
class Served:
    """A running `briefkit serve`: its process and address."""

    process: subprocess.Popen[str]
    port: int
    out: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body of a GET, sent as written (no normalising of the path)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
            for key, value in sent.items():
                if value is not None:
                    connection.putheader(key, value)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def text(self, path: str) -> str:
        status, _, body = self.get(path)
        assert status == 200, (status, body[:300])
        return body.decode("utf-8")

    def stop(self, signum: int = signal.SIGINT) -> tuple[int, str, str]:
        """Stop it as Ctrl-C does; its exit status, output and error output."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            out, err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
            raise AssertionError("briefkit serve did not stop within 30 s of the signal") from None
        return self.process.returncode, "".join(self.out) + out, err


def serve(root: Path, *args: str) -> Served:
    """Start `briefkit serve --port 0` on a workspace; returns once it says its address."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "briefkit", "serve", "--root", str(root), "--port", "0", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline()
            found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if found:
                return Served(process, int(found.group(1)), [line])
            if not line:
                break
    process.kill()
    out, err = process.communicate()
    raise AssertionError(f"briefkit serve did not start: {out}{err}")


def wait_for(check: Callable[[], object], timeout: float = 30, what: str = "the condition") -> object:
    """Poll until `check` returns something true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def settled(served: Served) -> str:
    """The index once no brief is still building."""
    return str(wait_for(lambda: (lambda page: page if "state-building" not in page else None)(served.text("/")),
                        what="every brief to be built"))
