"""The generated pages' HTML blocks handed to Python-Markdown as raw HTML, without its parser.

A generated page is Markdown headings between blocks of HTML that the providers wrote
(``generator/site/pages.py``'s sections, a territory's lists, the gap report's tables):
Python-Markdown finds where each block ends with ``html.parser``, tag by tag, which was
about half of a build's rendering (``bench/README.md``, "Markdown's HTML parser"). Each
block is then kept (raw HTML, stashed), or, inside the page's ``<div markdown="1">``,
rebuilt as elements and written out again. This preprocessor stashes the blocks that are
certainly whole elements itself, with string operations, and leaves the rest to
Python-Markdown. The page then holds the HTML exactly as the provider wrote it: the same
elements, attributes and text as before. What differs is the whitespace between elements,
the attributes' order and ``hidden`` for ``hidden="hidden"`` (Python-Markdown's rewriting),
and the empty paragraphs it wrapped around a script or a note that followed a block on the
next line (``<p><script …></script></p>``), which are gone. Checked on the whole shipped
site (3,036 pages compared element by element) and in ``tests/site/test_raw_blocks.py``.

A block, for this purpose, is a run of lines between blank lines that starts with a
block-level opening tag at the start of the line, ends with ``>``, opens and closes that
tag as many times (so it holds the whole element), and asks for no Markdown inside
(``markdown=``). Anything else (a heading, a paragraph, the page's own ``<div markdown="1">``
and its closing tag, a block a blank line cuts in two) goes to Python-Markdown as before.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

_FIRST_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)[\s>/]")
# Raw blocks are stashed before Python-Markdown's own HTML block step (priority 20) and
# after the whitespace is normalised (30).
PRIORITY = 25


def _whole(block: str, tag: str) -> bool:
    """Whether ``block`` opens and closes ``tag`` as many times (cheap, for generated HTML)."""
    opened = len(re.findall(rf"<{tag}[\s>/]", block))
    closed = block.count(f"</{tag}>")
    return opened == closed and opened > 0


class RawBlocks(Preprocessor):  # type: ignore[misc]  # (Python-Markdown has no type hints)
    """Stash the whole HTML elements of a page (see the module's docstring)."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "<" not in text:
            return lines
        return "\n\n".join(self._stash(block) for block in text.split("\n\n")).split("\n")

    def _stash(self, block: str) -> str:
        if not block.startswith("<") or not block.endswith(">") or "markdown=" in block:
            return block
        match = _FIRST_TAG.match(block)
        if match is None:
            return block
        tag = match.group(1).lower()
        if not self.md.is_block_level(tag) or not _whole(block, tag):
            return block
        placeholder: str = self.md.htmlStash.store(block)
        return placeholder


class RawBlocksExtension(Extension):  # type: ignore[misc]
    """The extension the maillage plugin adds to ``markdown_extensions``."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(RawBlocks(md), "maillage_raw_blocks", PRIORITY)
