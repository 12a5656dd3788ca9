"""The registry: the YAML files, their models, the loader, the territories and the problems found in them."""
