"""An mkdocs hook for the browser tests' small sites, built without the maillage plugin:
``overrides/``' ``{{ _("key") }}`` read the catalogues, as the plugin's ``on_env`` has them."""

from __future__ import annotations

from typing import Any

from generator.site import template_words


def on_env(env: Any, config: Any, files: Any) -> Any:
    template_words.install(env)
    return env
