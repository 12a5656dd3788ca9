"""Edit loop: seconds from saving one registry file to `maillage serve` showing the change.

Usage: ``python3 bench/serve_edit.py PROJECT [--edit name|phone|area|new ...] [--port P] [--limit S]``
(PROJECT e.g. made by ``maillage synth --services 100 --out PROJECT``). The first service
of the first registry file is edited: its name gets a marker (``name``), its first phone
number changes (``phone``), or its area gains the territory of the file's folder
(``area``); or a copy of it under a new id is added to the file (``new``). The script
polls that service's page (the new one's) over HTTP until it differs from the page before
the save (until it exists), prints the delay, restores the file, waits for that rebuild
too (the new page gone), and goes on with the next edit; then it stops the server.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path


def _edit(kind: str, services: str, folder: str, new_id: str) -> str:
    first, rest = re.match(r"(  - id: \S+\n(?:(?!  - id: ).*\n)*)(.*)", services, re.S).groups()  # type: ignore[union-attr]
    if kind == "new":
        edited = first + re.sub(r"^  - id: \S+", f"  - id: {new_id}", first, count=1)
    elif kind == "name":
        edited = re.sub(r"(name:(?:\n      fr:)?)( \S)", rf"\1 Edition{int(time.time())}\2", first, count=1)
    elif kind == "phone":
        edited = re.sub(r"(kind: phone\n\s+value: )(.*)", rf"\g<1>0{int(time.time()) % 10**9}", first, count=1)
    else:
        edited = re.sub(r"(\n      area: \[)", rf"\g<1>{folder}, ", first, count=1)
    assert edited != first, f"no {kind} to edit in the first service"
    return edited + rest


def _page(url: str) -> str | None:
    """The page as built, without the live-reload script (it differs on every request)."""
    try:
        page = str(urllib.request.urlopen(url, timeout=5).read().decode())
    except OSError:
        return None
    end = page.rfind("</body>")
    return page[: page.rfind("<script>", 0, end)] if end >= 0 else page


def _wait_change(url: str, before: str | None, limit: float) -> float | None:
    """Seconds until the page differs from ``before`` (None: until it exists; "": until it is gone)."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        page = _page(url)
        if (page is None) if before == "" else (page is not None and page != before):
            return time.perf_counter() - start
        time.sleep(0.05)
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("project", type=Path)
    parser.add_argument("--edit", nargs="+", default=["phone", "area"], choices=["name", "phone", "area", "new"])
    parser.add_argument("--port", default="8765")
    parser.add_argument("--limit", type=float, default=600.0)
    args = parser.parse_args()
    project: Path = args.project
    address = f"127.0.0.1:{args.port}"
    command = [sys.executable, "-m", "generator", "-C", str(project), "serve", "--dev-addr", address]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert server.stdout is not None
    start = time.perf_counter()
    for line in server.stdout:
        if "Serving on" in line:
            break
    print(f"first build and serve: {time.perf_counter() - start:.1f} s", flush=True)
    output = server.stdout
    threading.Thread(
        target=lambda: [print("serve:", line.rstrip(), flush=True) for line in output if "GET" not in line],
        daemon=True,
    ).start()
    file = sorted((project / "data" / "registry").rglob("*.yaml"))[0]
    text = file.read_text(encoding="utf-8")
    head, services = text.split("\nservices:\n", 1)
    found = re.search(r"^  - id: (\S+)", services, re.M)
    assert found, f"{file}: no service"
    url = f"http://{address}/services/{found.group(1)}/"
    try:
        for kind in args.edit:
            new_id = f"{found.group(1)}-new{int(time.time())}"
            page_url = f"http://{address}/services/{new_id}/" if kind == "new" else url
            before = None if kind == "new" else _page(url) or ""
            time.sleep(1.5)  # the watcher must see the save as a new change
            file.write_text(head + "\nservices:\n" + _edit(kind, services, file.parent.name, new_id), encoding="utf-8")
            took = _wait_change(page_url, before, args.limit)
            print(f"{kind} edit to visible: " + (f"{took:.2f} s" if took is not None else "not visible"), flush=True)
            edited = "" if kind == "new" else _page(url) or ""
            file.write_text(text, encoding="utf-8")
            undone = _wait_change(page_url, edited, args.limit)
            shown = f"{undone:.2f} s" if undone is not None else "not visible"
            print(f"{kind} undo to visible: {shown}", flush=True)
    finally:
        file.write_text(text, encoding="utf-8")
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
