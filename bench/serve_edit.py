"""Edit loop: seconds from saving one registry file to `maillage serve` showing the change.

Usage: ``python3 bench/serve_edit.py PROJECT [PORT] [DEADLINE_S]`` (PROJECT e.g. made by
``maillage synth --services 100 --out PROJECT``). The name of the first service of the
first registry file gets a marker; the script polls that service's page until the marker
shows, then restores the file and stops the server.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path


def main() -> None:
    project = Path(sys.argv[1])
    port = sys.argv[2] if len(sys.argv) > 2 else "8765"
    limit = float(sys.argv[3]) if len(sys.argv) > 3 else 600.0
    command = [sys.executable, "-m", "generator", "-C", str(project), "serve", "--dev-addr", f"127.0.0.1:{port}"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert server.stdout is not None
    start = time.perf_counter()
    for line in server.stdout:
        if "Serving on" in line:
            break
    print(f"first build and serve: {time.perf_counter() - start:.1f} s", flush=True)
    output = server.stdout
    threading.Thread(
        target=lambda: [print("serve:", line.rstrip()) for line in output if "GET" not in line], daemon=True
    ).start()
    file = sorted((project / "data" / "registry").rglob("*.yaml"))[0]
    text = file.read_text(encoding="utf-8")
    head, services = text.split("\nservices:\n", 1)
    found = re.search(r"^  - id: (\S+)", services, re.M)
    assert found, f"{file}: no service"
    marker = f"Edition{int(time.time())}"
    edited = re.sub(r"(^  - id: \S+\n    name:(?:\n      fr:)?)( \S)", rf"\1 {marker}\2", services, count=1, flags=re.M)
    url = f"http://127.0.0.1:{port}/services/{found.group(1)}/"
    saved = time.perf_counter()
    file.write_text(head + "\nservices:\n" + edited, encoding="utf-8")
    try:
        while time.perf_counter() - saved < limit:
            try:
                if marker in urllib.request.urlopen(url, timeout=5).read().decode():
                    print(f"edit to visible: {time.perf_counter() - saved:.1f} s ({url})")
                    return
            except OSError:
                pass
            time.sleep(0.1)
        print(f"not visible after {limit:.0f} s")
    finally:
        file.write_text(text, encoding="utf-8")
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
