"""A malformed gazetteer (data/territories/*.csv) is refused with positioned problems.

Each case of tests/hostile/gazetteer/ is the small fixture's gazetteer with one defect; it
replaces ``data/territories/mini.csv`` of a copy of the fixture, and ``maillage check`` must
print the golden problems (``file:line:col: column: message [code]``) and exit 1, never a
traceback. ``maillage build`` refuses the same gazetteer with the same messages.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.registry.problems import RegistryError
from generator.registry.territories import Gazetteer, read_gazetteer

from .conftest import MINI, ROOT, compare_golden
from .security.conftest import build, new_project

CASES = Path(__file__).parent / "hostile" / "gazetteer"


def _check(project: Path, *args: str) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(main, ["-C", str(project), "check", *args])
    return result.exit_code, result.stderr if not args else result.stdout, result.exception


@pytest.mark.parametrize("case", sorted(p.stem for p in CASES.glob("*.csv")))
def test_hostile_gazetteer(case: str, mini: Path, update_goldens: bool) -> None:
    shutil.copy(CASES / f"{case}.csv", mini / "data" / "territories" / "mini.csv")
    code, stderr, exception = _check(mini)
    assert code == 1, stderr
    assert isinstance(exception, SystemExit), "never a traceback"
    problems = stderr.splitlines()[:-1]
    assert problems and stderr.splitlines()[-1].endswith("erreur(s) dans le registre.")
    for problem in problems:
        assert problem.startswith("data/territories/mini.csv:"), problem
        line, col = problem.split(":")[1:3]
        assert int(line) >= 1 and int(col) >= 1, "every problem is positioned"
    compare_golden(CASES / f"{case}.expected", stderr, update_goldens)


def test_corpus_covers_the_review(mini: Path) -> None:
    """The defects of issue 20 item 9, each refused with its own code."""
    expected = {
        "lat-nan": "wrong-type",
        "lon-infinity": "wrong-type",
        "lat-out-of-range": "out-of-range",
        "duplicate-code": "duplicate-id",
        "uppercase-code": "bad-format",
        "dotdot-code": "bad-format",
        "population-words": "wrong-type",
        "missing-column": "bad-header",
        "unknown-parent": "unknown-reference",
        "parent-cycle": "bad-parent",
    }
    for case, code in expected.items():
        assert f"[{code}]" in (CASES / f"{case}.expected").read_text(encoding="utf-8"), case


def test_json_format_positions_the_column(mini: Path) -> None:
    shutil.copy(CASES / "lat-nan.csv", mini / "data" / "territories" / "mini.csv")
    code, stdout, _ = _check(mini, "--format", "json")
    assert code == 1
    [problem] = json.loads(stdout)
    assert problem["path"] == "data/territories/mini.csv"
    assert (problem["line"], problem["col"], problem["field"], problem["code"]) == (6, 70, "lat", "wrong-type")


def test_every_file_is_checked(mini: Path) -> None:
    """A second file is read like the first; a code in both is a duplicate across files."""
    folder = mini / "data" / "territories"
    rows = (folder / "mini.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    schaerbeek = next(r for r in rows if r.startswith("be-commune-21015,"))
    (folder / "zz.csv").write_text(rows[0] + schaerbeek.replace("Schaerbeek", "Evere"), encoding="utf-8")
    code, stderr, _ = _check(mini)
    assert code == 1
    assert stderr.startswith(
        "data/territories/zz.csv:2:1: code: code « be-commune-21015 » en double (aussi à data/territories/mini.csv:6)"
    )


def test_load_refuses_and_read_reports() -> None:
    gazetteer = read_gazetteer(CASES.parent / "gazetteer-missing-folder")
    assert len(gazetteer) == 0 and gazetteer.problems == ()
    folder = MINI / "data" / "territories"
    assert read_gazetteer(folder).problems == ()
    assert Gazetteer.load(folder).get("be-commune-21015") is not None


def test_load_raises_on_a_broken_file(tmp_path: Path) -> None:
    shutil.copy(CASES / "duplicate-code.csv", tmp_path / "be.csv")
    with pytest.raises(RegistryError, match=r"be\.csv:7:1: code: code « be-commune-21015 » en double"):
        Gazetteer.load(tmp_path)
    gazetteer = read_gazetteer(tmp_path)
    assert gazetteer["be-commune-21015"].name == "Schaerbeek", "the first row is kept, never renamed"


@pytest.mark.slow
def test_build_refuses_a_broken_gazetteer(tmp_path: Path) -> None:
    project = new_project(tmp_path / "project", MINI / "data")
    shutil.copy(CASES / "lat-nan.csv", project / "data" / "territories" / "mini.csv")
    site = tmp_path / "site"
    result = build(project, site)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    expected = (CASES / "lat-nan.expected").read_text(encoding="utf-8").splitlines()[0]
    assert expected in result.stderr
    assert not site.exists()


def test_shipped_gazetteer_has_no_problem() -> None:
    assert read_gazetteer(ROOT / "data" / "territories", ROOT).problems == ()


def test_synth_refuses_a_broken_gazetteer(mini: Path, tmp_path: Path) -> None:
    shutil.copy(CASES / "lat-nan.csv", mini / "data" / "territories" / "mini.csv")
    result = CliRunner().invoke(main, ["-C", str(mini), "synth", "--services", "3", "--out", str(tmp_path / "s")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), "never a traceback"
    assert (
        "mini.csv:6:70: lat: un nombre écrit comme 50.84 était attendu ; trouvé : « nan » [wrong-type]" in result.stderr
    )


# --- property test: random mutations of a valid gazetteer never give a traceback ---------

VALID = (MINI / "data" / "territories" / "mini.csv").read_bytes()
NASTY = [
    b",",
    b'"',
    b"\n",
    b"\r",
    b"-",
    b"nan",
    b"inf",
    b"1e400",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"\xe2\x80\xae",
    b"A",
    b" ",
]


@st.composite
def mutations(draw: st.DrawFn) -> bytes:
    data = VALID
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate-line", "truncate"]))
        if action == "insert":
            data = data[:position] + draw(st.sampled_from(NASTY)) + data[position:]
        elif action == "delete":
            data = data[:position] + data[position + draw(st.integers(1, 12)) :]
        elif action == "truncate":
            data = data[:position]
        else:
            lines = data.splitlines(keepends=True)
            if lines:
                lines.insert(draw(st.integers(0, len(lines))), lines[draw(st.integers(0, len(lines) - 1))])
            data = b"".join(lines)
    return data


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=mutations())
def test_mutations_never_raise(data: bytes, tmp_path: Path) -> None:
    (tmp_path / "mini.csv").write_bytes(data)
    gazetteer = read_gazetteer(tmp_path, tmp_path)
    for problem in gazetteer.problems:
        assert problem.path == "mini.csv"
        assert problem.line >= 1 and problem.col >= 1, problem
    for territory in gazetteer:
        assert territory.lat is None or -90 <= territory.lat <= 90
        assert territory.lon is None or -180 <= territory.lon <= 180
    if not gazetteer.problems:
        assert all(gazetteer.ancestors(t.code) for t in gazetteer), "no cycle, no unknown parent"
