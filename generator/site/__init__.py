"""Everything the website is made of, as plain functions of the registry (no mkdocs here)."""
