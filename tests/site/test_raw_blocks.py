"""generator/site/raw_blocks.py: the providers' HTML blocks skip Python-Markdown's HTML parser,
and the page keeps the same elements, attributes and text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown
import pytest

from generator.site.raw_blocks import RawBlocksExtension

# The site's own extensions (mkdocs.yml), the order mkdocs gives them.
SITE = ["attr_list", "md_in_html", "admonition", "tables", "toc"]
# A page as a provider writes one (generator/site/pages.py): headings between HTML blocks,
# inside the page's <div markdown="1">; an attribute written `hidden`, a script after a block.
PAGE = "\n\n".join(
    [
        '<div class="maillage-page maillage-service" data-pagefind-body="" markdown="1">',
        "## L'essentiel",
        '<div class="maillage-section maillage-essentials"><p>Un texte &amp; un lien <a href="../x/">X</a>.</p>'
        '<ul class="maillage-facts"><li><strong>Pour qui</strong> : adultes</li></ul>'
        '<p class="maillage-send" data-pagefind-ignore="all" data-share="{&quot;a&quot;:1}">Envoyer : '
        '<button type="button" hidden>Copier</button> <a href="sms:?body=x">Par SMS</a></p></div>',
        '<div class="maillage-lead"><ul><li><strong>Organisation</strong> : '
        '<a href="../../organisations/o/">O</a></li></ul></div>',
        "## Pour qui ?",
        '<div class="maillage-section"><div lang="fr"><p>Texte *pas du Markdown* ici.</p></div>'
        '<small class="maillage-fallback">(en français)</small></div>',
        '<table class="maillage-table"><thead><tr><th scope="col">Nom</th></tr></thead>'
        "<tbody><tr><td>A</td></tr></tbody></table>",
        "Un paragraphe en *Markdown*.",
        '<script type="application/ld+json">{"@context": "https://schema.org", "name": "A < B"}</script>',
        "</div>\n",
    ]
)


class _Tokens(HTMLParser):
    """Elements, sorted attributes and text; whitespace between elements left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple[str, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = sorted((k, "" if k == "hidden" and v in (None, "", "hidden") else v or "") for k, v in attrs)
        self.tokens.append(("start", tag, repr(values)))

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(("end", tag))

    def handle_data(self, data: str) -> None:
        text = re.sub(r"\s+", " ", data).strip()
        if text:
            self.tokens.append(("text", text))


def tokens(html: str) -> list[tuple[str, ...]]:
    parser = _Tokens()
    parser.feed(html)
    return parser.tokens


def convert(text: str, raw: bool) -> str:
    extensions: list[str | markdown.Extension] = list(SITE)
    if raw:
        extensions.append(RawBlocksExtension())
    return markdown.markdown(text, extensions=extensions)


def test_a_page_keeps_its_elements_attributes_and_text() -> None:
    before, after = convert(PAGE, raw=False), convert(PAGE, raw=True)
    assert tokens(after) == tokens(before)
    # The provider's HTML is kept as written (not rebuilt by Python-Markdown).
    assert '<p class="maillage-send" data-pagefind-ignore="all" data-share="{&quot;a&quot;:1}">' in after
    assert '<button type="button" hidden>' in after
    # Markdown around the blocks is still Markdown: headings with their anchors, emphasis.
    assert '<h2 id="lessentiel">' in after and '<h2 id="pour-qui">' in after
    assert "<p>Un paragraphe en <em>Markdown</em>.</p>" in after
    # … and what sits inside an HTML block is not.
    assert "Texte *pas du Markdown* ici." in after


def test_a_second_script_is_no_longer_wrapped_in_a_paragraph() -> None:
    text = (
        '<div class="page" markdown="1">\n\n## Titre\n\n'
        '<script src="a.js" defer></script><script src="b.js" defer></script>\n\n</div>\n'
    )
    before, after = convert(text, raw=False), convert(text, raw=True)
    assert "<p><script" in before  # Python-Markdown's own reading, inside a <div markdown="1">
    assert "<p><script" not in after
    assert '<script src="a.js" defer></script><script src="b.js" defer></script>' in after


@pytest.mark.parametrize(
    "block",
    [
        '<div class="a" markdown="1">\n\n*dedans*\n\n</div>',  # asks for Markdown inside
        "<div>\n<p>cut</p>\n\n*between*\n\n</div>",  # an element cut by a blank line
        "<span>inline</span> and *text*",  # not a block-level tag
        "text <div>x</div>",  # not at the start
    ],
)
def test_blocks_it_cannot_vouch_for_go_to_python_markdown(block: str) -> None:
    assert convert(block, raw=True) == convert(block, raw=False)
