"""``generator.plugin:MaillagePlugin``, the name existing ``mkdocs.yml`` files and the entry point know.

The plugin lives in ``generator/site/plugin.py``; this module only keeps the old path importable.
"""

from .site.plugin import MaillagePlugin

__all__ = ["MaillagePlugin"]
