"""A Content-Security-Policy for every page, with the hashes of the build's own inline scripts.

The policy allows scripts from the site itself and, inline, exactly the scripts the build
wrote: those of the theme's templates (Material's bootstrap, our overrides) and those the
generator puts in its pages (the folium map code, ``own_script``). An inline ``<script>``
that came from anywhere else (raw HTML in a Markdown page of the docs folder, text that
escaped escaping) gets no hash, and an event handler none either: neither runs.

Telling the two apart in the finished page cannot rest on where a script sits (a page's
content is inside the template) nor on an attribute Markdown could copy. The build's own
scripts are marked with an attribute whose value is a secret drawn when this module is
loaded: the templates' ``<script`` tags get it in their source, as Jinja loads them
(``mark_templates``), before any page's text is inserted; the generator's scripts get it
from ``own_script``. The secret is in no file a contributor can read, differs at each run,
and is removed from every page as the policy is made (``add_policy``), so it is never
published and the pages are the same bytes from run to run. Forked processes (parallel
builds) inherit it; nothing made with it outlives the process.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

import jinja2

_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>(?:\s[^>]*)?)>(?P<body>.*?)</script>", re.S | re.I)
_DATA_TYPES = ("application/json", "application/ld+json")
_OPEN_SCRIPT = re.compile(r"<script(?=[\s>])", re.I)
_TOKEN = secrets.token_hex(16)
_OWN = f'data-maillage-own="{_TOKEN}"'
_OWN_BARE = f"data-maillage-own={_TOKEN}"  # the same, unquoted by the minifier (generator/site/minify.py)


def own_script(body: str) -> str:
    """An inline ``<script>`` the generator writes into a page: the page's policy allows it."""
    return f"<script {_OWN}>{body}</script>"


class _MarkingLoader(jinja2.BaseLoader):
    """The theme's loader, with every ``<script`` tag of a template's source marked as the build's own."""

    def __init__(self, loader: jinja2.BaseLoader) -> None:
        self.loader = loader

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Any]:
        source, filename, uptodate = self.loader.get_source(environment, template)
        return _OPEN_SCRIPT.sub(f"<script {_OWN}", source), filename, uptodate

    def list_templates(self) -> list[str]:
        return self.loader.list_templates()


def mark_templates(env: jinja2.Environment) -> None:
    """Make the templates ``env`` loads from now on mark their inline scripts (mkdocs' ``on_env``)."""
    if env.loader is not None and not isinstance(env.loader, _MarkingLoader):
        env.loader = _MarkingLoader(env.loader)


def _hash(body: str) -> str:
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def tile_origin(tiles: str | None) -> str:
    """The origin a tile URL template loads images from ("" when tiles are off)."""
    if not tiles:
        return ""
    parts = urlsplit(tiles.replace("{s}.", "*.").replace("{s}", "a"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def own_script_hashes(html: str) -> list[str]:
    """The hashes of the inline scripts of ``html`` that the build wrote (marked, not data)."""
    return sorted(
        {
            _hash(match.group("body"))
            for match in _INLINE_SCRIPT.finditer(html)
            if (_OWN in match.group("attrs") or _OWN_BARE in match.group("attrs"))
            and "src=" not in match.group("attrs")
            and not any(t in match.group("attrs") for t in _DATA_TYPES)
        }
    )


def policy(html: str, tiles: str | None) -> str:
    """The policy for one page: the build's inline scripts by hash, images from the site (and tiles)."""
    images = " ".join(filter(None, ["'self'", "data:", tile_origin(tiles)]))
    return "; ".join(
        [
            "default-src 'self'",
            # Pagefind's search runs as WebAssembly, which needs 'wasm-unsafe-eval' (not 'unsafe-eval').
            "script-src " + " ".join(["'self'", "'wasm-unsafe-eval'", *own_script_hashes(html)]),
            "style-src 'self' 'unsafe-inline'",
            f"img-src {images}",
            "connect-src 'self'",
            "font-src 'self'",
            "frame-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


def add_policy(html: str, tiles: str | None) -> str:
    """``html`` with the policy as the first element of its ``<head>`` (before any script), unmarked."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(html, tiles)}">'
    html = html.replace(f" {_OWN}", "").replace(f" {_OWN_BARE}", "")
    head = re.search(r"<head[^>]*>", html, re.I)
    if head is None:
        return html
    return html[: head.end()] + meta + html[head.end() :]
