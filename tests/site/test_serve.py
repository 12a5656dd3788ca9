"""End to end: ``maillage serve`` rebuilds only what an edit of the registry changed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.site.test_build import project  # noqa: F401 - the fixture: the small project with its mkdocs.yml

NEW_PHONE = "+32 2 999 99 99"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> str | None:
    try:
        return str(urllib.request.urlopen(url, timeout=5).read().decode())
    except OSError:
        return None


def _until(condition: Callable[[], bool], limit: float = 40.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


class _Server:
    """``maillage serve`` in a subprocess, its output collected line by line."""

    def __init__(self, root: Path, tmp: Path) -> None:
        self.port = _free_port()
        self.lines: list[str] = []
        # mkdocs serves from a mkdtemp folder: TMPDIR puts it where the test can look.
        env = {**os.environ, "TMPDIR": str(tmp), "SOURCE_DATE_EPOCH": "1735689600"}
        command = [sys.executable, "-m", "generator", "-C", str(root), "serve"]
        command += ["--dev-addr", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.site = tmp

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def site_dir(self) -> Path:
        return next(self.site.glob("mkdocs_*"))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)
        self.reader.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


@pytest.fixture
def server(project: Path, tmp_path: Path) -> Iterator[_Server]:  # noqa: F811 - the imported fixture
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    running = _Server(project, tmp)
    try:
        yield running
    finally:
        running.stop()


def test_an_edit_rewrites_only_the_pages_it_changes(server: _Server, project: Path) -> None:  # noqa: F811
    edited = server.url("services/alpha-adults/")
    assert _until(lambda: "+32 2 000 00 01" in (_get(edited) or ""), 90), "".join(server.lines)
    untouched = server.site_dir() / "services" / "beta-housing-first" / "index.html"
    assert untouched.is_file()
    written = untouched.stat().st_mtime_ns
    lines = len(server.lines)

    registry = project / "data" / "registry" / "alpha.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("+32 2 000 00 01", NEW_PHONE), encoding="utf-8")
    assert _until(lambda: NEW_PHONE in (_get(edited) or "")), "".join(server.lines[lines:])
    assert untouched.stat().st_mtime_ns == written  # neither re-rendered nor rewritten
    assert any("rewritten without a build" in line for line in server.lines[lines:]), "".join(server.lines[lines:])

    # A registry error is shown, and the last good site stays served.
    lines = len(server.lines)
    registry.write_text(text.replace("verified: 2024-01-17", "verified: someday", 1), encoding="utf-8")
    assert _until(lambda: any("problème(s)" in line for line in server.lines[lines:])), "".join(server.lines[lines:])
    assert NEW_PHONE in (_get(edited) or "")
    assert "alpha.yaml:" in "".join(server.lines[lines:])

    # Fixed again, the site follows.
    registry.write_text(text, encoding="utf-8")
    assert _until(lambda: "+32 2 000 00 01" in (_get(edited) or "")), "".join(server.lines[lines:])
