"""The built HTML of every kind of page, in French, Dutch and English, is valid (RGAA 8.2):
the Nu Html Checker (vnu-jar, tests/js/package.json) finds no error in it.

One Java start for all the pages (the checker takes many files at once): about ten seconds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.browser

VNU = ROOT / "tests" / "js" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LANGUAGES = ["", "nl/", "en/"]
# Each kind of page once: home, a service, an organisation, a need, a function, a territory,
# the gaps and a need's gaps, the orientation, the map, the downloads, the accessibility
# statement, and the indexes.
PAGES = [
    "",
    "services/ucsd-lyon/",
    "organisations/brusano/",
    "needs/mental-health/",
    "functions/housing-first/",
    "territories/be-region-04000/",
    "gaps/",
    "gaps/needs/addiction/",
    "orient/",
    "map/",
    "downloads/",
    "accessibilite/",
    "services/",
    "organisations/",
    "needs/",
    "functions/",
    "territories/",
]


def _files(site: Path) -> list[Path]:
    files = [site / lang / page / "index.html" for lang in LANGUAGES for page in PAGES]
    missing = [str(f.relative_to(site)) for f in files if not f.is_file()]
    assert missing == [], f"pages of the sample missing from the build: {missing}"
    return [*files, site / "404.html"]


def test_the_nu_html_checker_finds_no_error_in_any_page_kind(built_site: Path) -> None:
    java = shutil.which("java")
    assert java, "java is needed by the Nu Html Checker (Debian: apt-get install default-jre-headless)"
    assert VNU.is_file(), "vnu-jar is missing: cd tests/js && npm ci"
    files = _files(built_site)
    result = subprocess.run(
        [java, "-Xss4m", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{m.get('url', '').split(str(built_site), 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]
    assert errors == [], "\n".join(errors[:40])
    assert result.returncode == 0, result.stderr[-2000:]
