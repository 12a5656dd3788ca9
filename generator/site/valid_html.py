"""Two repairs of the theme's own markup that the Nu Html Checker rejects (RGAA 8.2).

mkdocs-material writes them in templates that are not blocks we can override:

- ``autocomplete="off"`` on its drawer and search toggles, hidden checkboxes
  (``autocomplete`` is not allowed on a checkbox): dropped;
- the table of contents' title, ``<label for="__toc">``, on pages whose navigation has no
  ``__toc`` toggle (the registry's pages are not in the menu): a label for nothing, written
  as a ``<div>`` with the same class (same look, nothing to click).
"""

from __future__ import annotations

import re

_TOGGLE_AUTOCOMPLETE = re.compile(
    r'(<input class="md-toggle" data-md-toggle="\w+" type="checkbox" id="__\w+") autocomplete="off">'
)
_TOC_LABEL = re.compile(r'<label class="md-nav__title" for="__toc">(.*?)</label>', re.S)


def repair_theme_markup(html: str) -> str:
    """``html`` without the theme's two invalid constructs."""
    html = _TOGGLE_AUTOCOMPLETE.sub(r"\1>", html)
    if 'id="__toc"' not in html:
        html = _TOC_LABEL.sub(r'<div class="md-nav__title">\1</div>', html)
    return html
