"""A Content-Security-Policy for every page, with the hashes of the page's own inline scripts.

The policy allows scripts from the site itself and, inline, exactly the scripts the build
wrote (Material's bootstrap, the folium map code): an injected ``<script>`` or event
handler has no matching hash and does not run, even if some text escaped escaping.
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>(?:\s[^>]*)?)>(?P<body>.*?)</script>", re.S | re.I)
_DATA_TYPES = ("application/json", "application/ld+json")


def _hash(body: str) -> str:
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def tile_origin(tiles: str | None) -> str:
    """The origin a tile URL template loads images from ("" when tiles are off)."""
    if not tiles:
        return ""
    parts = urlsplit(tiles.replace("{s}.", "*.").replace("{s}", "a"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def policy(html: str, tiles: str | None) -> str:
    """The policy for one page: its inline scripts by hash, images from the site (and tiles)."""
    hashes = sorted(
        {
            _hash(match.group("body"))
            for match in _INLINE_SCRIPT.finditer(html)
            if "src=" not in match.group("attrs") and not any(t in match.group("attrs") for t in _DATA_TYPES)
        }
    )
    images = " ".join(filter(None, ["'self'", "data:", tile_origin(tiles)]))
    return "; ".join(
        [
            "default-src 'self'",
            # Pagefind's search runs as WebAssembly, which needs 'wasm-unsafe-eval' (not 'unsafe-eval').
            "script-src " + " ".join(["'self'", "'wasm-unsafe-eval'", *hashes]),
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
    """``html`` with the policy as the first element of its ``<head>`` (before any script)."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(html, tiles)}">'
    head = re.search(r"<head[^>]*>", html, re.I)
    if head is None:
        return html
    return html[: head.end()] + meta + html[head.end() :]
