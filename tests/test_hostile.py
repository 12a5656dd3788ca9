"""Hostile registry files: each gets a positioned error and exit 1, in bounded time and memory.

The committed corpus (tests/hostile/*.yaml) is checked in-process against golden files;
the huge and deeply nested files are generated here and checked by the real command in a
subprocess under a memory limit and a timeout. Property tests mutate a valid file at
random and require that nothing but positioned problems ever comes out.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.registry.loader import check_registry
from generator.registry.territories import Gazetteer

from .conftest import MINI, compare_golden

CORPUS = Path(__file__).parent / "hostile"
MEMORY_LIMIT = 1024 * 1024 * 1024  # 1 GiB of address space for one `maillage check`
TIME_LIMIT = 60  # seconds, far above the ~1 s a check of the small fixture takes


@pytest.mark.parametrize("case", sorted(p.stem for p in CORPUS.glob("*.yaml")))
def test_hostile_file(case: str, mini: Path, update_goldens: bool) -> None:
    shutil.copy(CORPUS / f"{case}.yaml", mini / "data" / "registry" / "case.yaml")
    result = CliRunner().invoke(main, ["-C", str(mini), "check"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), "never a traceback"
    first = result.stderr.splitlines()[0]
    assert first.startswith("data/registry/case.yaml:"), first
    line, col = first.split(":")[1:3]
    assert int(line) >= 1 and int(col) >= 1, "every problem is positioned"
    compare_golden(CORPUS / f"{case}.expected", result.stderr, update_goldens)


def test_corpus_is_large_enough() -> None:
    golden = len(list((Path(__file__).parent / "golden" / "check").glob("*.yaml")))
    assert len(list(CORPUS.glob("*.yaml"))) + golden >= 80


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _check_in_subprocess(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "-C", str(project), "check"],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        preexec_fn=_limits,
    )


def _fifty_megabytes() -> bytes:
    line = b"    - {kind: phone, value: '+32 2 880 29 80', visibility: public}\n"
    return b"id: big\nname: Big\ncontacts:\n" + line * (50 * 1024 * 1024 // len(line) + 1)


GENERATED = {
    "fifty-megabytes": (_fifty_megabytes, "au-delà de la limite de 5 Mo [file-too-large]"),
    "flow-nesting": (
        lambda: b"id: deep\nname: " + b"[" * 200_000 + b"\n",
        "plus de 40 niveaux d'imbrication [yaml-too-deep]",
    ),
    "block-nesting": (
        lambda: b"id: deep\nname:\n" + b"".join(b"  " * i + b"k:\n" for i in range(1, 1000)),
        "plus de 40 niveaux d'imbrication [yaml-too-deep]",
    ),
    # Deeper than ours, shallower than any parser's own limit: our bound decides, at its
    # position, whatever the PyYAML version (6.0.4's libyaml stops at 1,000 levels itself).
    "flow-nesting-moderate": (
        lambda: b"id: deep\nname: " + b"[" * 60 + b"]" * 60 + b"\n",
        "data/registry/case.yaml:2:47: plus de 40 niveaux d'imbrication [yaml-too-deep]",
    ),
    "block-nesting-moderate": (
        lambda: b"id: deep\nname:\n" + b"".join(b"  " * i + b"k:\n" for i in range(1, 60)) + b"  " * 60 + b"v\n",
        "plus de 40 niveaux d'imbrication [yaml-too-deep]",
    ),
    "too-many-nodes": (lambda: b"id: many\nname: M\nx:\n" + b"- 1\n" * 600_000, "plus de 500000 valeurs"),
    "billion-laughs": (lambda: (CORPUS / "billion-laughs.yaml").read_bytes(), "les ancres et alias"),
}


@pytest.mark.parametrize("case", sorted(GENERATED))
def test_bounded_time_and_memory(case: str, mini: Path) -> None:
    make, expected = GENERATED[case]
    (mini / "data" / "registry" / "case.yaml").write_bytes(make())
    result = _check_in_subprocess(mini)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("data/registry/case.yaml:"), result.stderr[:500]
    assert expected in result.stderr


# --- property tests: random mutations of a valid file never give a traceback -----------

VALID = (MINI / "data" / "registry" / "alpha.yaml").read_text(encoding="utf-8")
GAZETTEER = Gazetteer.load(MINI / "data" / "territories")
NASTY = ["\t", ":", "- ", "[", "]", "{", "}", "&a ", "*a", "!!", "'", '"', "#", "\n", "  ", "\x00", "é", "\u202e", "%"]


@st.composite
def mutations(draw: st.DrawFn) -> str:
    text = VALID
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate-line", "truncate", "swap-lines"]))
        if action == "insert":
            text = text[:position] + draw(st.sampled_from(NASTY)) + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 12)) :]
        elif action == "truncate":
            text = text[:position]
        else:
            lines = text.splitlines(keepends=True)
            i = draw(st.integers(0, max(len(lines) - 1, 0)))
            j = draw(st.integers(0, max(len(lines) - 1, 0)))
            if action == "duplicate-line" and lines:
                lines.insert(j, lines[i])
            elif lines:
                lines[i], lines[j] = lines[j], lines[i]
            text = "".join(lines)
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=mutations())
def test_mutations_never_raise(text: str, mini: Path) -> None:
    (mini / "data" / "registry" / "alpha.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    registry, problems = check_registry(mini, gazetteer=GAZETTEER)
    assert registry is not None or problems
    for problem in problems:
        assert problem.line >= 0 and problem.col >= 0
        assert problem.path.startswith("data/")
