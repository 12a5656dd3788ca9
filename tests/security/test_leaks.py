"""No leaks: a public build contains no byte of any professional-only contact."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from .conftest import MINI, ROOT, build, new_project, rewrite_registry


def _plant(data: dict[str, Any], index: int) -> None:
    """A unique professional-only phone and e-mail on every organisation and service."""
    markers = []
    for j, owner in enumerate([data, *data.get("services", [])]):
        n = index * 100 + j
        owner.setdefault("contacts", []).extend(
            [
                {"kind": "phone", "value": f"+32 2 77{n:05d}", "visibility": "professional"},
                {"kind": "email", "value": f"leakmarker{n:05d}@pro-only.example", "visibility": "professional"},
            ]
        )
        markers.append(n)


def _all_bytes(folder: Path) -> list[tuple[Path, bytes]]:
    """Every file of a folder, decompressed where it is gzip (Pagefind) or zip."""
    out = []
    for file in folder.rglob("*"):
        if not file.is_file():
            continue
        raw = file.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        if raw[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(file) as archive:
                raw += b"".join(archive.read(name) for name in archive.namelist())
        out.append((file, raw))
    return out


MARKER = re.compile(rb"leakmarker\d{5}|pro-only\.example|\+?32 ?2 ?77\d{5}|32277\d{5}|0277\d{5}")


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = new_project(tmp_path_factory.mktemp("leak") / "project", ROOT / "data")
    rewrite_registry(project, _plant)
    return project


@pytest.fixture(scope="module")
def planted_mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = new_project(tmp_path_factory.mktemp("leak-mini") / "project", MINI / "data")
    rewrite_registry(project, _plant)
    return project


@pytest.mark.slow
def test_public_build_has_no_professional_contact(planted: Path, tmp_path: Path) -> None:
    site = tmp_path / "public"
    result = build(planted, site, "--audience", "public")
    assert result.returncode == 0, result.stderr[-3000:]
    files = _all_bytes(site)
    assert len(files) > 50
    leaks = [(f.relative_to(site), m.group()) for f, raw in files for m in [MARKER.search(raw)] if m]
    assert not leaks, f"professional contacts leaked into: {leaks[:10]}"
    export = tmp_path / "hsds"
    subprocess.run(
        [sys.executable, "-m", "generator", "-C", str(planted), "export", "hsds", "--out", str(export)],
        check=True,
        capture_output=True,
    )
    leaks = [f.name for f, raw in _all_bytes(export) if MARKER.search(raw)]
    assert not leaks, f"professional contacts leaked into the HSDS export: {leaks}"


@pytest.mark.slow
def test_professional_build_has_them(planted_mini: Path, tmp_path: Path) -> None:
    """The same search finds the markers in a professional build: the test can fail."""
    site = tmp_path / "pro"
    result = build(planted_mini, site, "--audience", "professional")
    assert result.returncode == 0, result.stderr[-3000:]
    found = {m.group() for _, raw in _all_bytes(site) for m in MARKER.finditer(raw)}
    assert any(b"leakmarker" in m for m in found)
    assert any(b"77" in m and b"leakmarker" not in m for m in found)


def _copy_into_attention(data: dict[str, Any], index: int) -> None:
    """Plant the markers, then copy one service's professional phone and e-mail into its attention."""
    _plant(data, index)
    for service in data.get("services", [])[:1]:
        phone, email = (c["value"] for c in service["contacts"][-2:])
        national = "0" + phone.removeprefix("+32 ").replace(" ", "")  # "+32 2 77nnnnn" as 0277nnnnn
        service["attention"] = f"Ligne directe : {national}, ou {email}."


@pytest.mark.slow
def test_professional_contact_copied_into_text_fails_check_and_the_public_build(tmp_path: Path) -> None:
    """``check`` and a public build refuse a professional contact copied into public text; a
    professional build, which may show it, does contain it, and the scan above finds it: the
    test can fail."""
    project = new_project(tmp_path / "project", MINI / "data")
    rewrite_registry(project, _copy_into_attention)
    check = subprocess.run(
        [sys.executable, "-m", "generator", "-C", str(project), "check"], capture_output=True, text=True
    )
    assert check.returncode == 1, check.stdout + check.stderr
    leaks = [line for line in check.stderr.splitlines() if line.endswith("[professional-in-public-text]")]
    assert leaks and all(".attention: reprend " in line for line in leaks), check.stderr  # French by default
    assert not MARKER.search(check.stderr.encode()), "the message does not print the value again"
    public = tmp_path / "public"
    result = build(project, public, "--audience", "public")
    assert result.returncode == 1, result.stderr[-3000:]
    assert "[professional-in-public-text]" in result.stderr and "Traceback" not in result.stderr
    assert not MARKER.search(result.stderr.encode())
    assert not public.exists()
    professional = tmp_path / "professional"
    result = build(project, professional, "--audience", "professional")
    assert result.returncode == 0, result.stderr[-3000:]
    found = {m.group() for _, raw in _all_bytes(professional) for m in MARKER.finditer(raw)}
    assert any(m.startswith(b"0277") for m in found) and any(m.startswith(b"leakmarker") for m in found), found
