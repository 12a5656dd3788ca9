"""Everything the website is made of: the pages, as plain functions of the registry, and the mkdocs
plugin (``plugin.py``) that wires them into mkdocs' events."""
