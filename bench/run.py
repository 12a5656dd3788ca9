"""The scale benchmark: check, build against plain mkdocs, page weight, gaps and orient.

For each size N, in one run:

1. ``maillage synth --services N`` writes a synthetic project (seed 0);
2. ``maillage check`` — wall time and peak memory (``/usr/bin/time``, a fresh process);
3. ``maillage build`` — the full build (mkdocs with the plugin, then the Pagefind index);
4. the baseline: the very same pages, asked directly of ``generator.site.providers``
   (``PROVIDERS`` with a ``SiteContext`` per language, as the plugin does) and written to
   disk as Markdown next to the hand-written pages, built by plain ``mkdocs build`` with the
   same theme settings and no plugin. ``build / baseline`` is the cost of our generator
   (the Pagefind step is timed apart, the baseline has no search index);
5. sizes: a service page (median and largest), the home page, the whole site;
6. the bytes a visitor downloads (Chromium, sum of response bodies) for the home page, a
   service page, the map page, and one search (Pagefind's own requests, with
   ``bench/search_bench.py``'s ``query_bytes``);
7. ``maillage gaps`` and ``maillage orient`` (each a fresh process, registry loading included).

Usage::

    python3 bench/run.py --sizes 1000 10000 [100000]
    python3 bench/run.py --sizes 200 --no-readme        # a quick try, README untouched

The table goes into ``bench/README.md`` between the markers of the section
"Scale: build, check and page weight" (only that part is rewritten).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generator.registry.loader import for_audience, load_registry  # noqa: E402
from generator.site.context import Asset, GeneratedPage, SiteConfig, SiteContext  # noqa: E402
from generator.site.providers import PROVIDERS  # noqa: E402

README = ROOT / "bench" / "README.md"
HEADING = "## Scale: build, check and page weight (`bench/run.py`)"
START = "<!-- bench/run.py: table start -->"
END = "<!-- bench/run.py: table end -->"
QUERY = "santé mentale lyon"
TIME = "/usr/bin/time"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@dataclass
class Run:
    """One command: wall time, peak resident memory, exit code."""

    seconds: float
    peak_mb: float
    code: int
    note: str = ""
    search_peak_mb: float = 0.0  # the Pagefind processes' own peak (0: none ran)
    other_peak_mb: float = 0.0  # the peak of the rest of the tree

    def cell(self) -> str:
        if self.code != 0:
            return f"failed ({self.note or 'exit ' + str(self.code)})"
        text = f"{self.seconds:.1f} s / {self.peak_mb:,.0f} MB"
        if self.search_peak_mb:
            text += f" (Python {self.other_peak_mb:,.0f} MB, Pagefind {self.search_peak_mb:,.0f} MB)"
        return text


@dataclass
class Row:
    services: int
    synth_s: float = 0.0
    check: Run | None = None
    build: Run | None = None
    index_s: float | None = None
    export_s: float = 0.0
    baseline: Run | None = None
    pages: int = 0
    service_median: int = 0
    service_max: int = 0
    home: int = 0
    site_bytes: int = 0
    site_files: int = 0
    downloads: dict[str, int] = field(default_factory=dict)
    gaps: Run | None = None
    orient: Run | None = None
    notes: list[str] = field(default_factory=list)


def timed(command: list[str], cwd: Path, timeout: float) -> Run:
    """Run ``command`` in a fresh process; wall time and the peak memory of its process tree.

    Memory is the larger of ``/usr/bin/time``'s peak resident set (one process: the
    largest of the tree) and the peak of the tree's summed proportional set size (PSS,
    sampled every 0.2 s from ``/proc``): a build's page-rendering processes share the
    parent's memory copy-on-write, so their resident sets added up would count it twice,
    and the largest one alone would hide the others.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        start = time.perf_counter()
        process = subprocess.Popen(
            [TIME, "-f", "%M", "-o", report.name, *command],
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        sampler = _TreeSampler(process.pid)
        sampler.start()
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return Run(time.perf_counter() - start, 0.0, -1, f"over {timeout:.0f} s")
        finally:
            sampler.stop()
        seconds = time.perf_counter() - start
        lines = [line for line in report.read().splitlines() if line.strip().isdigit()]
    peak = max(int(lines[-1]) / 1024 if lines else 0.0, sampler.peak_mb)
    tail = stderr.strip().splitlines()[-1:] if process.returncode else []
    note = tail[0][:80] if tail else ""
    return Run(seconds, peak, process.returncode, note, sampler.search_peak_mb, sampler.other_peak_mb)


class _TreeSampler(threading.Thread):
    """Samples the summed PSS of a process and all its descendants."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_mb = 0.0
        self.search_peak_mb = 0.0  # the Pagefind processes alone
        self.other_peak_mb = 0.0  # everything else (Python: mkdocs, the plugin, the workers)
        self._done = threading.Event()

    def stop(self) -> None:
        self._done.set()
        self.join()

    def run(self) -> None:
        while not self._done.wait(0.2):
            sizes = {pid: _pss_kb(pid) / 1024 for pid in _tree(self.pid)}
            self.peak_mb = max(self.peak_mb, sum(sizes.values()))
            search = sum(size for pid, size in sizes.items() if _is_pagefind(pid))
            self.search_peak_mb = max(self.search_peak_mb, search)
            self.other_peak_mb = max(self.other_peak_mb, sum(sizes.values()) - search)


def _is_pagefind(pid: int) -> bool:
    try:
        return b"pagefind" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def maillage(project: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "generator", "-C", str(project), *args]


# --- the baseline: the same pages as Markdown, plain mkdocs -------------------------------


def plugin_options(config: dict[str, Any]) -> dict[str, Any]:
    for entry in config.get("plugins") or []:
        if isinstance(entry, dict) and "maillage" in entry:
            return dict(entry["maillage"] or {})
    return {}


def export_pages(project: Path, out: Path) -> tuple[Path, int]:
    """Write what the plugin generates as files of a plain mkdocs project in ``out``.

    Returns the baseline's mkdocs.yml and the number of Markdown pages.
    """
    from generator.site.pages import HOME_ENTRY_MARKER, entry_points

    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    options = plugin_options(config)
    site_config = SiteConfig(
        languages=tuple(options.get("languages") or SiteConfig().languages),
        audience=options.get("audience", "public"),
        stale_months=options.get("stale_months", SiteConfig().stale_months),
        scope=tuple(options.get("scope") or ()),
    )
    registry = for_audience(load_registry(project), site_config.audience)
    docs = out / "docs"
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(project / config.get("docs_dir", "docs"), docs)
    pages: dict[str, str] = {}
    for lang in site_config.languages:
        context = SiteContext(registry=registry, config=site_config, lang=lang, root=project)
        for provider in PROVIDERS:
            for item in provider(context):
                target = docs / item.uri
                target.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(item, GeneratedPage):
                    pages[item.uri] = item.content
                elif isinstance(item, Asset):
                    target.write_bytes(item.content)
    # What the plugin does in on_page_markdown for the home pages, so the pages are the same.
    existing = {_url(uri) for uri in pages} | {_url(p.relative_to(docs).as_posix()) for p in docs.rglob("*.md")}
    for uri, content in pages.items():
        if HOME_ENTRY_MARKER in content:
            lang = next((x for x in site_config.languages[1:] if uri.startswith(f"{x}/")), site_config.languages[0])
            prefix = "" if lang == site_config.languages[0] else f"{lang}/"
            content = content.replace(HOME_ENTRY_MARKER, entry_points(lang, prefix, existing))
        (docs / uri).write_text(content, encoding="utf-8")
    config["docs_dir"] = "docs"
    config["plugins"] = []  # no plugin at all (an absent key would mean mkdocs' search plugin)
    config.pop("site_dir", None)
    if config.get("theme", {}).get("custom_dir"):
        config["theme"]["custom_dir"] = str(project / config["theme"]["custom_dir"])
    config["nav"] = _prune(config.get("nav"), docs)
    config_file = out / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return config_file, len(pages)


def _url(uri: str) -> str:
    if uri.endswith("index.md"):
        return uri[: -len("index.md")]
    return uri[: -len(".md")] + "/" if uri.endswith(".md") else uri


def _prune(nav: Any, docs: Path) -> Any:
    """The navigation without entries whose page does not exist (as the plugin does)."""
    if isinstance(nav, str):
        return nav if "://" in nav or (docs / nav).exists() else None
    if isinstance(nav, list):
        kept = [_prune(entry, docs) for entry in nav]
        return [entry for entry in kept if entry not in (None, [], {})]
    if isinstance(nav, dict):
        pruned = {k: _prune(v, docs) for k, v in nav.items()}
        return {k: v for k, v in pruned.items() if v not in (None, [], {})} or None
    return nav


# --- sizes and downloads --------------------------------------------------------------------


def site_sizes(site: Path, row: Row) -> None:
    services = [p.stat().st_size for p in site.glob("services/*/index.html")]
    row.service_median = int(statistics.median(services)) if services else 0
    row.service_max = max(services, default=0)
    home = site / "index.html"
    row.home = home.stat().st_size if home.exists() else 0
    files = [p for p in site.rglob("*") if p.is_file()]
    row.site_files = len(files)
    row.site_bytes = sum(p.stat().st_size for p in files)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def page_bytes(site: Path, paths: dict[str, str]) -> dict[str, int]:
    """Bytes Chromium downloads to show each page (HTML and everything it loads), cache empty."""
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    result: dict[str, int] = {}
    outside: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for name, path in paths.items():
                context = browser.new_context()
                page = context.new_page()
                sizes: dict[str, int] = {}

                def route(r: Any, outside: list[str] = outside) -> None:
                    if r.request.url.startswith(base):
                        r.continue_()
                    else:
                        outside.append(r.request.url)
                        r.abort()

                page.route("**/*", route)
                page.on(
                    "requestfinished", lambda r, sizes=sizes: sizes.__setitem__(r.url, r.sizes()["responseBodySize"])
                )
                page.goto(base + "/" + path, wait_until="networkidle")
                result[name] = sum(sizes.values())
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    if outside:
        result["outside"] = len(outside)
    return result


# --- one size -------------------------------------------------------------------------------


def measure(size: int, out: Path, seed: int, timeout: float, browser: bool) -> Row:
    row = Row(size)
    project = out / str(size) / "project"
    start = time.perf_counter()
    subprocess.run(
        maillage(ROOT, "synth", "--services", str(size), "--out", str(project), "--seed", str(seed)),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    row.synth_s = time.perf_counter() - start
    print(f"[{size}] synth {row.synth_s:.1f} s", flush=True)

    row.check = timed(maillage(project, "check"), project, timeout)
    print(f"[{size}] check {row.check.cell()}", flush=True)

    site = out / str(size) / "site"
    row.build = timed(maillage(project, "build", "--out", str(site)), project, timeout)
    print(f"[{size}] build {row.build.cell()}", flush=True)
    if row.build.code == 0:
        # The Pagefind step alone, run again on the built site (the baseline has no index).
        start = time.perf_counter()
        code = "from pathlib import Path; from generator.site.search import index_site; "
        code += f"index_site(Path({str(site)!r}))"
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        row.index_s = time.perf_counter() - start
        print(f"[{size}] Pagefind step alone {row.index_s:.1f} s", flush=True)

    base_dir = out / str(size) / "baseline"
    start = time.perf_counter()
    config_file, row.pages = export_pages(project, base_dir)
    row.export_s = time.perf_counter() - start
    print(f"[{size}] export of the same pages as Markdown {row.export_s:.1f} s", flush=True)
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config_file), "-d", str(base_dir / "site")]
    row.baseline = timed(mkdocs, base_dir, timeout)
    print(f"[{size}] baseline mkdocs {row.baseline.cell()} ({row.pages} pages)", flush=True)

    if row.build.code == 0:
        site_sizes(site, row)
        if browser:
            first = sorted(p.parent.name for p in site.glob("services/*/index.html"))
            paths = {"home": "", "map": "map/"}
            if first:
                paths["service"] = f"services/{first[0]}/"
            try:
                row.downloads = page_bytes(site, paths)
                from search_bench import query_bytes

                plain = query_bytes(site, QUERY)[0]
                row.downloads["search"] = int(getattr(plain, "total", plain))
            except Exception as exc:  # a benchmark row is still worth writing without it
                row.notes.append(f"downloads not measured: {type(exc).__name__}: {exc}"[:160])

    row.gaps = timed(maillage(project, "gaps", "--format", "json"), project, timeout)
    row.orient = timed(
        maillage(project, "orient", "--age", "30", "--where", "fr-commune-69123", "--format", "json"), project, timeout
    )
    for name in ("gaps", "orient"):
        run = getattr(row, name)
        if run.code == 2 and "No such command" in run.note:
            row.notes.append(f"`maillage {name}` does not exist yet")
    print(f"[{size}] gaps {row.gaps.cell()}, orient {row.orient.cell()}", flush=True)
    return row


# --- the table --------------------------------------------------------------------------------


def _kb(n: int) -> str:
    return f"{n / 1024:,.0f} KB" if n < 10 * 1024 * 1024 else f"{n / 1024 / 1024:,.0f} MB"


def _ratio(row: Row) -> str:
    if not row.build or not row.baseline or row.build.code or row.baseline.code:
        return "–"
    whole = row.build.seconds / row.baseline.seconds
    if row.index_s is None:
        return f"{whole:.2f}×"
    pages_only = row.build.seconds - row.index_s
    return f"{whole:.2f}× ({pages_only / row.baseline.seconds:.2f}× without Pagefind)"


def table(rows: list[Row], command: str) -> str:
    out = [
        f"Run on {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}: `{command}`",
        "",
        f"Machine: {os.cpu_count()} CPUs, {_ram_gb():.0f} GB RAM, {platform.machine()}, Python "
        f"{platform.python_version()}, mkdocs {_version('mkdocs')}, mkdocs-material {_version('mkdocs-material')}, "
        f"load average at start {os.getloadavg()[0]:.1f} (the machine is shared: absolute times vary, ratios less).",
        "",
        "Times are wall clock of a fresh process; memory is the peak of its process tree (the larger of"
        " `/usr/bin/time`'s peak RSS and the summed PSS of the process and its children, sampled every 0.2 s)."
        " `maillage build` renders pages in 2 processes (`--jobs`, default the CPUs); the baseline is one.",
        "",
        "| services | synth | check | build (mkdocs + plugin + Pagefind) | Pagefind step"
        " | baseline: plain mkdocs, same pages"
        " | build / baseline | pages (all languages) | service page HTML (median / max) | home HTML | whole site"
        " | visitor bytes: home / service / map / one search | gaps | orient |",
        "| ---: | ---: | --- | --- | ---: | --- | --- | ---: | --- | ---: | --- | --- | --- | --- |",
    ]
    for row in rows:
        d = row.downloads
        export = f"{row.export_s:.0f} s" if row.export_s else "–"
        visitor = " / ".join(_kb(d[k]) if k in d else "–" for k in ("home", "service", "map", "search"))
        out.append(
            f"| {row.services:,} | {row.synth_s:.1f} s | {row.check.cell() if row.check else '–'} "
            f"| {row.build.cell() if row.build else '–'} | {f'{row.index_s:.1f} s' if row.index_s else '–'} "
            f"| {row.baseline.cell() if row.baseline else '–'} (export {export}) | {_ratio(row)} "
            f"| {row.pages:,} | {_kb(row.service_median)} / {_kb(row.service_max)} | {_kb(row.home)} "
            f"| {_kb(row.site_bytes)} in {row.site_files:,} files | {visitor} "
            f"| {row.gaps.cell() if row.gaps else '–'} | {row.orient.cell() if row.orient else '–'} |"
        )
    notes = [f"- {row.services:,}: {note}" for row in rows for note in row.notes]
    return "\n".join(out + (["", *notes] if notes else []))


def _ram_gb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "absent"


def write_readme(text: str) -> None:
    """Put ``text`` between the markers of our section; leave the rest of the file alone."""
    current = README.read_text(encoding="utf-8") if README.exists() else ""
    block = f"{START}\n{text}\n{END}"
    if START in current and END in current:
        updated = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, current, flags=re.S)
    else:
        updated = current.rstrip("\n") + f"\n\n{HEADING}\n\n{block}\n"
    README.write_text(updated, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=4 * 3600, help="Per command, in seconds.")
    parser.add_argument("--no-browser", action="store_true", help="Skip the Chromium download measurements.")
    parser.add_argument("--no-readme", action="store_true", help="Print the table only.")
    args = parser.parse_args()
    command = "python3 bench/run.py " + " ".join(sys.argv[1:])
    rows = [measure(size, args.out, args.seed, args.timeout, not args.no_browser) for size in args.sizes]
    text = table(rows, command)
    print(text)
    if not args.no_readme:
        write_readme(text)


if __name__ == "__main__":
    main()
