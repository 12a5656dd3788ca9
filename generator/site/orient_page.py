"""The orientation page (``orient/``), its compact data and its script.

The page is a form that helpdesk staff fill in on the phone; ``assets/maillage/orient.js``
matches the profile in the browser against ``assets/maillage/orient.json`` (built here
from the registry the build's audience may see). Nothing typed leaves the page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources

from ..orient import build_data, data_to_json
from .context import Asset, GeneratedPage, SiteContext
from .markup import esc

ASSET_DIR = "assets/maillage"
DATA_URI = f"{ASSET_DIR}/orient.json"
SCRIPT_URI = f"{ASSET_DIR}/orient.js"
PAGE_URI = "orient/index.md"


def orient_json(ctx: SiteContext) -> bytes:
    """The compact data as the page downloads it (no spaces: it travels to every browser)."""
    data = data_to_json(build_data(ctx.registry))
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


# Raw HTML with no blank line inside: Markdown leaves a block-level element alone.
FORM = """<div id="maillage-orient" class="maillage-orient" data-src="{data}">
<form class="maillage-orient-form" autocomplete="off" novalidate>
<p><label for="mo-age">Âge</label> <input id="mo-age" name="age"
 type="number" min="0" max="120" inputmode="numeric" required autofocus></p>
<p><label for="mo-where">Commune ou code postal où vit la personne</label>
 <input id="mo-where" name="where" list="mo-places" required></p>
<datalist id="mo-places"></datalist>
<p><label for="mo-housing">Logement</label>
 <select id="mo-housing" name="housing"><option value="">— non précisé —</option></select></p>
<p><label for="mo-needs">Besoins (Ctrl/Maj pour plusieurs)</label>
 <select id="mo-needs" name="needs" multiple size="5"></select></p>
<p><label for="mo-referrer">Qui fait la demande</label>
 <select id="mo-referrer" name="referrer"><option value="">— non précisé —</option></select>
<label for="mo-professionals">Nombre de professionnels (institutions distinctes)</label>
 <input id="mo-professionals" name="professionals" type="number" min="1" max="10"></p>
<fieldset><legend>Situation</legend>
<label><input type="checkbox" name="no_insurance"> sans couverture santé (mutuelle)</label>
<label><input type="checkbox" name="no_residence_permit"> sans titre de séjour</label>
<label><input type="checkbox" name="crisis"> en situation de crise</label>
<label><input type="checkbox" name="non_demand"> en « non-demande »</label>
</fieldset>
<p><button type="submit">Trouver les services</button></p>
</form>
<p class="maillage-orient-message" role="alert"></p>
<div class="maillage-orient-results" aria-live="polite"></div>
<section id="maillage-orient-liaison" hidden>
<h2>Fiche de liaison</h2>
<p><label for="mo-liaison">À copier dans un e-mail ou à imprimer pour le service</label></p>
<textarea id="mo-liaison" rows="16" cols="80"></textarea>
<p><button type="button" data-action="copy">Copier</button>
 <button type="button" data-action="print">Imprimer</button></p>
</section>
<noscript><p>Cet outil a besoin de JavaScript ; la commande
 <code>maillage orient</code> donne le même résultat.</p></noscript>
</div>
<script src="{script}"></script>
"""

PRINT_CSS = """<style>
.maillage-orient-form fieldset label { display: block; }
.maillage-orient-match { margin-bottom: 1em; }
@media print {
  body * { visibility: hidden; }
  #maillage-orient-liaison, #maillage-orient-liaison * { visibility: visible; }
  #maillage-orient-liaison { position: absolute; top: 0; left: 0; }
  #maillage-orient-liaison button { display: none; }
}
</style>
"""


def orient_page(ctx: SiteContext) -> Iterator[GeneratedPage | Asset]:
    """The page in every language (its form speaks French), the data and script once."""
    depth = (ctx.prefix + "orient/").count("/")
    up = "../" * depth
    body = [
        "---",
        "title: Orienter une personne",
        "---",
        "",
        "# Orienter une personne",
        "",
        "Saisissez le profil de la personne : l'outil indique les services qui correspondent, "
        "ceux qui n'échouent que sur un ou deux critères (à négocier), et quoi faire quand rien ne convient. "
        "Un critère que le répertoire ne connaît pas n'exclut jamais un service : il est signalé « à vérifier ». "
        "**Rien de ce que vous tapez ne quitte cette page.**",
        "",
        PRINT_CSS,
        FORM.format(data=esc(up + DATA_URI), script=esc(up + SCRIPT_URI)),
    ]
    yield GeneratedPage(uri=ctx.prefix + PAGE_URI, content="\n".join(body))
    if ctx.prefix:
        return
    yield Asset(uri=DATA_URI, content=orient_json(ctx))
    script = resources.files("generator") / "assets" / "orient.js"
    yield Asset(uri=SCRIPT_URI, content=script.read_bytes())
