#!/usr/bin/env bash
# Pin today's versions of every dependency (runtime and dev) into constraints.txt.
#
# constraints.txt is the set the test suite last passed with. CI runs the suite twice, with
# today's versions (what a newcomer's `pip install` gets) and with these pins, so that a red
# run says whether our code or a new release of a dependency broke it. Run this script, then
# the test suite, and commit constraints.txt when it is green.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$(mktemp -d)/venv
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q -e '.[dev]'
{
    echo "# Known-good versions: the test suite passed with these (scripts/update_constraints.sh)."
    echo "# Python $("$venv/bin/python" -c 'import sys; print(sys.version.split()[0])'), $(date -u +%Y-%m-%d)."
    "$venv/bin/python" -m pip freeze --exclude-editable | grep -v -i '^maillage\b' | LC_ALL=C sort -f
} > constraints.txt
rm -rf "$(dirname "$venv")"
echo "constraints.txt: $(grep -vc '^#' constraints.txt) packages pinned"
