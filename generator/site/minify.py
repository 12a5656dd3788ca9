"""HTML minification of a national directory's pages (``docs/national-scale.md``), with the
mkdocs-minify-html-plugin (minify-html's engine).

Most of a page's bytes are the theme's markup and its indentation: minified, a page is about
16 % smaller (measured in ``bench/README.md``). Only past
``record_languages.TRANSLATED_PAGES_LIMIT`` services: a regional directory's pages stay as
they are, byte for byte, which the suite reads as text. The options keep closing tags, the
``<html lang>`` and ``<head>`` opening tags and the doctype, and leave inline scripts and
styles as written (only the blank lines around a script go); attribute quotes go where HTML
allows it. The Content-Security-Policy is computed after minification (``csp.add_policy``),
on the scripts as published.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mkdocs.config.defaults import MkDocsConfig

from ..registry.loader import Registry
from . import record_languages

OPTIONS: dict[str, Any] = {
    "keep_closing_tags": True,
    "keep_html_and_head_opening_tags": True,
    "keep_comments": False,
    "minify_css": False,
    "minify_js": False,
    "minify_doctype": False,
}


def wanted(registry: Registry) -> bool:
    """Whether the pages of ``registry``'s directory are minified: at national scale."""
    return len(registry.services) > record_languages.TRANSLATED_PAGES_LIMIT


def minifier(config: MkDocsConfig) -> Callable[[str], str]:
    """A function minifying one HTML page, by the plugin's own hook (as if it were in ``mkdocs.yml``)."""
    from mkdocs_minify_html_plugin.plugin import MinifyHtmlPlugin

    plugin = MinifyHtmlPlugin()
    errors, _ = plugin.load_config(OPTIONS)
    if errors:
        raise ValueError(f"mkdocs-minify-html-plugin: {errors}")
    plugin.on_config(config)

    def minify(html: str) -> str:
        return str(plugin.on_post_template(html, template_name="page.html", config=config))

    return minify
