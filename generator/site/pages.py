"""The directory's pages: services, organisations, needs, functions, their indexes, home.

Each provider is a plain function of a ``SiteContext`` (one language, one audience)
returning ``GeneratedPage``s; the mkdocs plugin turns them into virtual files. Registry
text only ever reaches a page through ``markup`` (escaped HTML).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from importlib import resources
from urllib.parse import quote

from ..analysis import describe
from ..locale import N_
from ..registry.dates import is_stale, reference_date
from ..registry.models import AgeRange, Contact, Organisation, Service, VocabularyTerm
from .context import Asset, GeneratedPage, SiteContext
from .hours import SCRIPT_URI as HOURS_SCRIPT_URI
from .hours import alerts_block, country, hours_assets, hours_html, site_details
from .i18n import date_text, number, t, tn
from .maps import service_map_html
from .markup import (
    bullet_list,
    contact_item,
    esc,
    front_matter,
    href,
    json_ld,
    link,
    localized,
    page_url,
    plain,
)
from .record_languages import has_own_page, record_link
from .search import filter_attributes, language_name
from .territory_pages import redirect_html, territory_link

# The headings of a service page, as catalogue keys, in their order.
SERVICE_SECTIONS = (
    N_("objective"),
    N_("for_whom"),
    N_("how_to_ask"),
    N_("method"),
    N_("timing"),
    N_("attention"),
    N_("contact"),
)
# A service's status (``status.state``), as catalogue keys.
STATUS_KEYS = {
    "active": N_("status.active"),
    "pilot": N_("status.pilot"),
    "planned": N_("status.planned"),
    "closed": N_("status.closed"),
}


def _section(html: str) -> str:
    return f'<div class="maillage-section">{html}</div>'


def _not_given(ctx: SiteContext) -> str:
    return f'<p class="maillage-unknown">{esc(t("not_given", ctx.lang))}</p>'


def _fact(label: str, value_html: str, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f"<li{cls}><strong>{esc(label)}</strong> : {value_html}</li>"


def _facts(*items: str) -> str:
    return f'<ul class="maillage-facts">{"".join(items)}</ul>'


def _unknown(ctx: SiteContext) -> str:
    return f'<em class="maillage-unknown">{esc(t("unknown", ctx.lang))}</em>'


def age_text(ctx: SiteContext, age: AgeRange | None) -> str:
    """The ages admitted, as HTML; « à vérifier » when the registry does not know."""
    if age is None or (age.min is None and age.max is None):
        return _unknown(ctx)
    if age.min is not None and age.max is not None:
        return esc(t("age.range", ctx.lang, min=age.min, max=age.max))
    if age.min is not None:
        return esc(t("age.min", ctx.lang, min=age.min) if age.min else t("age.all", ctx.lang))
    return esc(t("age.max", ctx.lang, max=age.max))


def _terms(ctx: SiteContext, vocabulary: str, ids: list[str]) -> str:
    return esc(", ".join(describe.label(ctx.registry, vocabulary, term, ctx.lang) for term in ids))


def service_url(service_id: str) -> str:
    """The URL of a service page (without language prefix)."""
    return f"services/{service_id}/"


def organisation_url(organisation_id: str) -> str:
    """The URL of an organisation page (without language prefix)."""
    return f"organisations/{organisation_id}/"


def organisation_link(ctx: SiteContext, from_url: str, organisation: Organisation) -> str:
    """The organisation's name, linked to its page (``record_languages.record_link``)."""
    return record_link(ctx, from_url, organisation_url(organisation.id), organisation.id, plain(ctx, organisation.name))


def french_only_page(ctx: SiteContext, record: Service | Organisation) -> Asset:
    """The Dutch (English) URL of a service or organisation without a page of its own in that
    language (``record_languages.has_own_page``): a small page that sends to the French one
    (refresh, canonical link, a link to follow by hand), and that carries what a search in
    this language finds the record by: its name, for whom (a service) and, for a service, its
    filters and metadata in this language (``filter_attributes``), with the French page as
    the result's ``url`` (the search panel links there, marked French)."""
    default = ctx.config.languages[0]
    path = service_url(record.id) if isinstance(record, Service) else organisation_url(record.id)
    url = page_url(ctx, path)
    name = plain(ctx, record.name)
    text = esc(t("page.french_only", ctx.lang, link="\x00"))
    html = redirect_html(ctx.lang, name, href(url, path), text, default).decode("utf-8")
    if isinstance(record, Service):
        about = plain(ctx, record.public.summary) or plain(ctx, record.objective)
        data = filter_attributes(ctx, record)
    else:
        about = plain(ctx, record.description)
        data = ""
    findable = (
        f'<div data-pagefind-body="" lang="{default}" hidden><h1>{esc(name)}</h1><p>{esc(about[:300])}</p>'
        f'<span data-pagefind-meta="url[data-value]" data-value="{esc(path)}"></span>'
        f'<span data-pagefind-meta="lang[data-value]" data-value="{default}"></span>{data}</div>'
    )
    return Asset(url + "index.html", html.replace("</body>", findable + "</body>", 1).encode("utf-8"))


def edit_note(ctx: SiteContext, url: str, path: str) -> str:
    """Where a reader's correction goes: the YAML file, and the contribute page."""
    how = link(url, "contribute/", t("edit.how", ctx.lang))
    return f'<p class="maillage-edit">{esc(t("edit", ctx.lang))} <code>{esc(path)}</code> ({how}).</p>'


def for_whom(ctx: SiteContext, url: str, service: Service) -> str:
    """« Pour qui ? » as a checklist; what the registry does not know reads « à vérifier »."""
    lang = ctx.lang
    public = service.public
    parts = []
    if public.summary:
        parts.append(f'<p class="maillage-summary">{localized(ctx, public.summary, block=False)}</p>')
    parts.append(localized(ctx, public.description))
    items = [_fact(t("age", lang), age_text(ctx, public.age))]
    area = ", ".join(territory_link(ctx, url, code) for code in public.area)
    if public.area_approximate:
        area += f" <em>({esc(t('area_approximate', lang))})</em>"
    if public.area_note:
        area += " — " + localized(ctx, public.area_note, block=False)
    items.append(_fact(t("territory", lang), area))
    housing = _terms(ctx, "housing", public.housing) if public.housing else _unknown(ctx)
    items.append(_fact(t("housing", lang), housing))
    required: list[str] = []
    not_required: list[str] = []
    unknown: list[str] = []
    for name in describe.CONDITIONS:
        value = getattr(public.conditions, name)
        if value is None:
            unknown.append(describe.condition_name(name, lang))
            continue
        phrase = esc(describe.condition_phrase(name, value, lang))
        # "required: false" and "accepted: true" both tell a professional what is NOT asked of the person.
        opens = (not value) if name.endswith("_required") else value
        (not_required if opens else required).append(phrase)
    conditions = ", ".join(required)
    if unknown:
        conditions += ("; " if conditions else "") + f"{_unknown(ctx)} : {esc(', '.join(unknown))}"
    items.append(_fact(t("conditions", lang), conditions))
    parts.append(f'<ul class="maillage-checklist">{"".join(items)}</ul>')
    if not_required:
        parts.append(f"<p><strong>{esc(t('not_required', lang))}</strong></p>")
        parts.append(bullet_list(not_required, "maillage-not-required"))
    if public.exclusions:
        parts.append(f"<p><strong>{esc(t('exclusions', lang))}</strong></p>{localized(ctx, public.exclusions)}")
    return _section("".join(parts))


def how_to_ask(ctx: SiteContext, service: Service) -> str:
    """« Comment y faire appel ? »: who may ask, how many requesters, the request, the delay."""
    lang = ctx.lang
    access = service.access
    items = []
    who = _terms(ctx, "referrers", access.referrers) if access.referrers else _unknown(ctx)
    items.append(_fact(t("who_may_ask", lang), who))
    if access.professional_requesters and access.professional_requesters > 1:
        items.append(f"<li>{esc(t('requesters', lang, n=access.professional_requesters))}</li>")
    if access.form:
        items.append(_fact(t("form", lang), localized(ctx, access.form, block=False)))
    if access.answer_delay:
        delay = esc(describe.delay_phrase(access, lang))
        if access.answer_delay.text and (access.answer_delay.min_hours or access.answer_delay.max_hours):
            delay += " — " + localized(ctx, access.answer_delay.text, block=False)
        items.append(_fact(t("answer_delay", lang), delay))
    else:
        items.append(_fact(t("answer_delay", lang), _unknown(ctx)))
    if access.process:
        items.append(_fact(t("process", lang), localized(ctx, access.process, block=False)))
    return _section(f'<ul class="maillage-checklist">{"".join(items)}</ul>')


def contact_section(ctx: SiteContext, url: str, service: Service) -> str:
    """« Contact »: click-to-call, mailto and web links; the organisation's when the service has none."""
    registry = ctx.registry
    organisation = registry.organisation_of(service.id)
    parts = []
    if service.contacts:
        parts.append(f'<ul class="maillage-contacts">{"".join(contact_item(ctx, c) for c in service.contacts)}</ul>')
    else:
        parts.append(f"<p>{esc(t('no_contact', ctx.lang))}</p>")
    if organisation.contacts and not service.contacts:
        org_link = record_link(
            ctx, url, organisation_url(organisation.id), organisation.id, plain(ctx, organisation.name)
        )
        items = "".join(contact_item(ctx, c) for c in organisation.contacts)
        parts.append(
            f'<p>{esc(t("org_contacts", ctx.lang))} ({org_link}) :</p><ul class="maillage-contacts">{items}</ul>'
        )
    sites = registry.sites_of(service)
    if sites:
        parts.append(f"<p><strong>{esc(t('sites', ctx.lang))}</strong></p>")
        parts.append(bullet_list(site_line(ctx, site_id=s.id) + site_details(ctx, s, country(service)) for s in sites))
    parts.append(service_map_html(ctx, service))
    return _section("".join(parts))


def site_line(ctx: SiteContext, site_id: str) -> str:
    """A site's name and address."""
    site = ctx.registry.sites[site_id]
    text = localized(ctx, site.name, block=False)
    if site.address:
        address = ", ".join(
            part
            for part in (site.address.street, " ".join(filter(None, (site.address.postcode, site.address.city))))
            if part
        )
        text += " — " + esc(address)
    if site.note:
        text += f" <small>{localized(ctx, site.note, block=False)}</small>"
    return text


def practical(ctx: SiteContext, service: Service) -> str:
    """Capacity, availability, languages, cost, team, partners (the status is in « L'essentiel »)."""
    lang = ctx.lang
    items = []
    if service.capacity:
        capacity = []
        if service.capacity.places is not None:
            capacity.append(esc(t("places", lang, n=service.capacity.places)))
        if service.capacity.text:
            capacity.append(localized(ctx, service.capacity.text, block=False))
        items.append(_fact(t("capacity", lang), " — ".join(capacity)))
    if service.availability:
        available = []
        if service.availability.always:
            available.append(esc(t("always", lang)))
        if service.availability.hours:
            available.append(localized(ctx, service.availability.hours, block=False))
        items.append(_fact(t("availability", lang), " — ".join(available)))
    if service.languages:
        items.append(_fact(t("languages", lang), esc(", ".join(language_name(c, lang) for c in service.languages))))
    if service.free is not None or service.cost:
        cost = [esc(t("free", lang))] if service.free else []
        if service.cost:
            cost.append(localized(ctx, service.cost, block=False))
        items.append(_fact(t("cost", lang), " — ".join(cost) or _unknown(ctx)))
    if service.team:
        items.append(_fact(t("team", lang), localized(ctx, service.team, block=False)))
    if service.partners:
        items.append(_fact(t("partners", lang), localized(ctx, service.partners, block=False)))
    return _section(f'<ul class="maillage-facts">{"".join(items)}</ul>') if items else ""


def sources_section(ctx: SiteContext, service: Service) -> str:
    """The documents the facts come from (the verification date is in « L'essentiel »)."""
    items = []
    for source_id in service.sources:
        source = ctx.registry.sources[source_id]
        text = esc(source.title)
        if source.url:
            text = f'<a href="{esc(source.url)}" rel="noopener">{text}</a>'
        details = [esc(source.publisher)] if source.publisher else []
        if source.date:
            details.append(esc(date_text(source.date, ctx.lang)))
        if details:
            text += " — " + ", ".join(details)
        items.append(text)
    return _section(bullet_list(items))


def service_json_ld(ctx: SiteContext, service: Service) -> dict[str, object]:
    """schema.org description of a service (for search engines and other directories)."""
    registry = ctx.registry
    organisation = registry.organisation_of(service.id)
    provider: dict[str, object] = {"@type": "Organization", "name": plain(ctx, organisation.name)}
    if organisation.website:
        provider["url"] = organisation.website
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "Service",
        "identifier": service.id,
        "name": plain(ctx, service.name),
        "description": plain(ctx, service.objective),
        "inLanguage": ctx.lang,
        "provider": provider,
        "areaServed": [
            {"@type": "AdministrativeArea", "identifier": code, "name": territory.label(ctx.lang)}
            for code in service.public.area
            if (territory := registry.gazetteer.get(code)) is not None
        ],
        "dateModified": service.verified.isoformat(),
    }
    age = service.public.age
    if age and (age.min is not None or age.max is not None):
        audience: dict[str, object] = {"@type": "PeopleAudience"}
        if age.min is not None:
            audience["suggestedMinAge"] = age.min
        if age.max is not None:
            audience["suggestedMaxAge"] = age.max
        data["audience"] = audience
    phones = [c.value for c in service.contacts if c.kind == "phone"]
    emails = [c.value for c in service.contacts if c.kind == "email"]
    webs = [c.value for c in service.contacts if c.kind == "web"]
    if phones or emails or webs:
        channel: dict[str, object] = {"@type": "ServiceChannel"}
        if phones or emails:
            point: dict[str, object] = {"@type": "ContactPoint"}
            if phones:
                point["telephone"] = phones[0]
            if emails:
                point["email"] = emails[0]
            channel["servicePhone"] = point
        if webs:
            channel["serviceUrl"] = webs[0]
        data["availableChannel"] = channel
    return data


SCRIPT_URI = "assets/maillage/service.js"
NOTE_ID = "maillage-note"


def contacts_shown(ctx: SiteContext, service: Service) -> tuple[list[Contact], bool]:
    """The contacts a service page opens with: the service's own, else its organisation's
    (``True`` then); phones first, and of each kind the public lines before the
    professionals' direct ones (the registry is already filtered for the audience)."""
    own = list(service.contacts)
    contacts = own or list(ctx.registry.organisation_of(service.id).contacts)
    order = {"phone": 0, "email": 1, "web": 2}
    contacts.sort(key=lambda c: (order[c.kind], c.visibility != "public"))
    return contacts, not own and bool(contacts)


def typical_verification(services: list[Service]) -> dt.date | None:
    """The verification date of the registry's typical page (the median), or ``None``."""
    dates = sorted(s.verified for s in services)
    return dates[len(dates) // 2] if dates else None


def much_older(verified: dt.date, typical: dt.date | None, months: int, today: dt.date) -> bool:
    """Whether a page's own date deserves a word of its own.

    Every page says plainly when it was checked; the home page says once how old the
    registry's facts are (they come from documents of 2018-2024, so a banner on every page
    would be on every page, and people learn to skip what is always there). A page warns
    only when it is stale against the build date *and* stands out: more than ``months``
    older than the typical page, or stale while the typical page is not.
    """
    if not is_stale(verified, months, today):
        return False
    if typical is None:
        return True
    return is_stale(verified, months, typical) or not is_stale(typical, months, today)


def _status_text(ctx: SiteContext, service: Service) -> str:
    lang = ctx.lang
    status = service.status
    text = esc(t(STATUS_KEYS[status.state], lang))
    if status.since:
        text += f" {esc(t('since', lang))} {esc(date_text(status.since, lang))}"
    if status.until:
        text += f" {esc(t('until', lang))} {esc(date_text(status.until, lang))}"
    if status.state == "planned" and status.expected:
        text += " — " + esc(t("essentials.expected", lang, date=date_text(status.expected, lang)))
    return f"<strong>{text}</strong>" if status.state != "active" else text


def _how_text(ctx: SiteContext, service: Service) -> str:
    """Who may ask and the form of the request, as far as the registry says: one line."""
    access = service.access
    parts = [esc(describe.referrers_phrase(ctx.registry, access, ctx.lang))] if access.referrers else []
    if access.form:
        parts.append(localized(ctx, access.form, block=False))
    return " — ".join(parts) or _unknown(ctx)


def _address(ctx: SiteContext, service: Service) -> str:
    """The street address when the service is at one place, else ''."""
    sites = ctx.registry.sites_of(service)
    if len(sites) != 1 or not sites[0].address:
        return ""
    address = sites[0].address
    town = " ".join(filter(None, (address.postcode, address.city)))
    return ", ".join(part for part in (address.street, town) if part)


def share_info(ctx: SiteContext, service: Service) -> dict[str, str]:
    """The facts a service is shared with (``share.js``'s ``info``): its name, first public
    phone, e-mail and web address, its street address when it is at one place, else its
    area, and how to ask. Public contacts only, whatever the build; empty facts left out."""
    lang = ctx.lang
    contacts = [c for c in contacts_shown(ctx, service)[0] if c.visibility == "public"]
    info = {"name": plain(ctx, service.name)}
    for kind in ("phone", "email", "web"):
        first = next((c for c in contacts if c.kind == kind), None)
        if first:
            extension = t("js.orient.extension", lang, extension=first.extension) if first.extension else ""
            info[kind] = first.value + (f", {extension}" if extension else "")
    address = _address(ctx, service)
    if address:
        info["address"] = address
    else:
        gazetteer = ctx.registry.gazetteer
        names = [gazetteer[c].label(lang) if c in gazetteer else c for c in service.public.area]
        if names:
            info["area"] = ", ".join(names)
    how = plain(ctx, service.access.form)
    if not how and service.access.referrers:
        how = describe.referrers_phrase(ctx.registry, service.access, lang)
    if how:
        info["how"] = how
    return info


def person_lines(ctx: SiteContext, service: Service) -> list[str]:
    """The short text for the person, as ``share.js``'s ``lines`` words it from
    ``share_info`` (the same catalogue keys; tests/browser/test_share.py compares them on
    every service): the service, its phone (or e-mail, or web address), where, how to ask."""
    lang = ctx.lang
    info = share_info(ctx, service)

    def line(label: str, value: str) -> str:
        return t("js.orient.line", lang, label=t(label, lang), value=value)

    lines = [info["name"]]
    if "phone" in info:
        lines.append(line(N_("js.orient.phone"), info["phone"]))
    if "email" in info:
        lines.append(line(N_("js.orient.email"), info["email"]))
    if "phone" not in info and "email" not in info and "web" in info:
        lines.append(line(N_("js.orient.web"), info["web"]))
    if "address" in info:
        lines.append(line(N_("js.share.address"), info["address"]))
    elif "area" in info:
        lines.append(line(N_("js.orient.area"), info["area"]))
    if "how" in info:
        lines.append(line(N_("js.orient.how"), info["how"]))
    return lines


def send_block(ctx: SiteContext, service: Service) -> str:
    """« Envoyer à la personne » : copy, SMS and e-mail carry the same short text (links
    made here, no script needed); the note is a section of the page that CSS shows when
    its anchor is the target, and prints alone then."""
    lang = ctx.lang
    text = "\n".join(person_lines(ctx, service))
    subject = plain(ctx, service.name)
    # The copy button works only with the page's script, which unhides it.
    copy = (
        f'<button type="button" class="maillage-copy" data-maillage-copy="{esc(text)}" '
        f'data-maillage-copied="{esc(t("js.orient.copied", lang))}" hidden>'
        f"{esc(t('js.orient.copy_text', lang))}</button> "
    )
    sms = f'<a href="sms:?body={esc(quote(text, safe=""))}" data-action="sms">{esc(t("js.orient.sms", lang))}</a>'
    mail = (
        f'<a href="mailto:?subject={esc(quote(subject, safe=""))}&amp;body={esc(quote(text, safe=""))}" '
        f'data-action="mail">{esc(t("js.orient.mail", lang))}</a>'
    )
    note = f'<a href="#{NOTE_ID}" data-action="note">{esc(t("js.orient.note", lang))}</a>'
    # share.js rebuilds the copy, SMS and e-mail controls from these facts (the links
    # above are for a browser without scripts); the note link stays.
    info = json.dumps(share_info(ctx, service), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return (
        f'<p class="maillage-send" data-pagefind-ignore="all" data-maillage-share="{esc(info)}">'
        f"{esc(t('js.orient.send', lang))} {copy}{sms} · {mail} · {note}</p>"
    )


def star_button(ctx: SiteContext, service: Service) -> str:
    """The star of « Ma sélection » (hidden until ``selection.js`` makes it work)."""
    lang = ctx.lang
    name = plain(ctx, service.name)
    return (
        f'<button type="button" class="maillage-star" data-maillage-star="{esc(service.id)}" '
        f'data-maillage-name="{esc(name)}" aria-pressed="false" '
        f'aria-label="{esc(t("js.selection.star", lang, name=name))}" hidden>'
        f'<span aria-hidden="true">☆</span> {esc(t("js.selection.mark", lang))}</button>'
    )


def selection_scripts(ctx: SiteContext, url: str) -> str:
    """The scripts of the stars and of the share controls, for a page at ``url``."""
    base = href(url, "")
    return (
        f'<script src="{esc(base + "assets/maillage/share.js")}" defer></script>'
        f'<script src="{esc(base + "assets/maillage/selection.js")}" defer></script>'
    )


def person_note(ctx: SiteContext, service: Service) -> str:
    """The printable one-page note for the person (hidden until its link is followed)."""
    lang = ctx.lang
    lines = person_lines(ctx, service)
    delay = describe.delay_phrase(service.access, lang)
    if delay:
        lines.append(t("js.orient.line", lang, label=t("js.orient.delay", lang), value=delay))
    date_template = t("js.orient.note_date", lang, date="{date}")
    body = "".join(f"<p>{esc(line)}</p>" for line in lines[1:])
    return (
        f'<section id="{NOTE_ID}" class="maillage-person-note" aria-labelledby="{NOTE_ID}-title" '
        'data-pagefind-ignore="all">'
        f'<p class="maillage-person-note-kicker">{esc(t("js.orient.note_title", lang))}</p>'
        f'<p class="maillage-person-note-name" id="{NOTE_ID}-title">{esc(lines[0])}</p>{body}'
        f'<p data-maillage-note-date="{esc(date_template)}">{esc(t("send.note_blank", lang))}</p>'
        f'<p class="maillage-person-note-actions"><button type="button" data-maillage-print hidden>'
        f'{esc(t("orient.print", lang))}</button> <a href="#">{esc(t("send.close", lang))}</a></p></section>'
    )


def essentials(ctx: SiteContext, service: Service, url: str, today: dt.date, typical: dt.date | None) -> str:
    """« L'essentiel »: contacts (phone first), for whom, how to ask, delay, status, the
    verification date, and what to send to the person — what a worker with a caller on
    the line needs, before the page's sections."""
    lang = ctx.lang
    contacts, from_organisation = contacts_shown(ctx, service)
    parts = []
    if contacts:
        items = "".join(contact_item(ctx, c) for c in contacts)
        parts.append(f'<ul class="maillage-contacts maillage-essentials-contacts">{items}</ul>')
        if from_organisation:
            organisation = ctx.registry.organisation_of(service.id)
            org_link = record_link(
                ctx, url, organisation_url(organisation.id), organisation.id, plain(ctx, organisation.name)
            )
            parts.append(f"<p><small>{esc(t('essentials.org_contacts', lang))} : {org_link}</small></p>")
    else:
        parts.append(f"<p>{esc(t('no_contact', lang))}</p>")
    public = service.public
    if public.summary:
        whom = localized(ctx, public.summary, block=False)
    else:
        whom = esc(describe.summary(ctx.registry, service, lang))
    delay = esc(describe.delay_phrase(service.access, lang)) if service.access.answer_delay else _unknown(ctx)
    verified = esc(date_text(service.verified, lang))
    facts = [
        _fact(t("hours.label", lang), hours_html(ctx, service.opening_hours, country(service)))
        if service.opening_hours
        else "",
        _fact(t("for_whom.short", lang), whom),
        _fact(t("essentials.how", lang), _how_text(ctx, service)),
        _fact(t("answer_delay", lang), delay),
        _fact(t("status", lang), _status_text(ctx, service)),
        f'<li class="maillage-verified">{esc(t("verified", lang))} {verified}</li>',
    ]
    parts.append(_facts(*facts))
    if much_older(service.verified, typical, ctx.config.stale_months, today):
        older = esc(t("essentials.older", lang, date=date_text(service.verified, lang)))
        parts.append(f'<p class="maillage-older" role="note">{older}</p>')
    parts.append(send_block(ctx, service))
    parts.append(f'<p class="maillage-star-line">{star_button(ctx, service)}</p>')
    return f'<div class="maillage-section maillage-essentials">{alerts_block(ctx, service)}{"".join(parts)}</div>'


def service_markdown(
    ctx: SiteContext, service: Service, today: dt.date | None = None, typical: dt.date | None = None
) -> str:
    """The Markdown (mostly HTML blocks) of a service page: « L'essentiel » first, then
    the seeds' own structure. ``typical``: the registry's typical verification date
    (``typical_verification``; computed here when not given)."""
    registry = ctx.registry
    lang = ctx.lang
    url = page_url(ctx, service_url(service.id))
    organisation = registry.organisation_of(service.id)
    today = today or reference_date()
    if typical is None:
        typical = typical_verification(list(registry.services.values()))
    lead = [f"<li><strong>{esc(t('organisation', lang))}</strong> : {organisation_link(ctx, url, organisation)}</li>"]
    if service.programme and service.programme in registry.programmes:
        lead.append(
            _fact(t("programme", lang), localized(ctx, registry.programmes[service.programme].name, block=False))
        )
    lead.append(
        _fact(
            t("needs", lang),
            ", ".join(
                link(url, page_url(ctx, f"needs/{n}/"), describe.label(registry, "needs", n, lang))
                for n in service.needs
            ),
        )
    )
    lead.append(
        _fact(
            t("functions", lang),
            ", ".join(
                link(url, page_url(ctx, f"functions/{f}/"), describe.label(registry, "functions", f, lang))
                for f in service.functions
            ),
        )
    )
    parts = [
        f"## {t('essentials', lang)}",
        essentials(ctx, service, url, today, typical),
        f'<div class="maillage-lead"><ul>{"".join(lead)}</ul></div>',
    ]
    parts.append(filter_attributes(ctx, service))
    duration = describe.duration_phrase(service.duration, lang)
    modality = (
        _facts(_fact(t("modality", lang), _terms(ctx, "modalities", service.modality))) if service.modality else ""
    )
    note = f"<p><strong>{esc(t('note', lang))}</strong></p>{localized(ctx, service.note)}" if service.note else ""
    timing = localized(ctx, service.timing) + (_facts(_fact(t("duration", lang), esc(duration))) if duration else "")
    sections = {
        "objective": _section(localized(ctx, service.objective)),
        "for_whom": for_whom(ctx, url, service),
        "how_to_ask": how_to_ask(ctx, service),
        "method": _section((localized(ctx, service.method) + modality) or _not_given(ctx)),
        "timing": _section(timing or _not_given(ctx)),
        "attention": _section((localized(ctx, service.attention) + note) or _not_given(ctx)),
        "contact": contact_section(ctx, url, service),
    }
    for key in SERVICE_SECTIONS:
        parts.append(f"## {t(key, lang)}")
        parts.append(sections[key])
    in_practice = practical(ctx, service)
    if in_practice:
        parts.append(f"## {t('practical', lang)}")
        parts.append(in_practice)
    parts.append(f"## {t('sources', lang)}")
    parts.append(sources_section(ctx, service))
    parts.append(edit_note(ctx, url, registry.files[service.id]))
    parts.append(person_note(ctx, service))
    parts.append(json_ld(service_json_ld(ctx, service)))
    parts.append(f'<script src="{esc(href(url, "") + SCRIPT_URI)}" defer></script>')
    parts.append(f'<script src="{esc(href(url, "") + HOURS_SCRIPT_URI)}" defer></script>')
    parts.append(selection_scripts(ctx, url))
    summary = plain(ctx, service.public.summary) or plain(ctx, service.objective)
    meta = {
        "title": esc(plain(ctx, service.name)),
        "description": esc(summary[:300]),
        "maillage_lang": lang,
        "maillage_kind": "service",
    }
    body = "\n\n".join(parts)
    return (
        front_matter(meta)
        + '<div class="maillage-page maillage-service" data-pagefind-body="" markdown="1">\n\n'
        + f"{body}\n\n</div>\n"
    )


def service_pages(ctx: SiteContext) -> Iterator[GeneratedPage | Asset]:
    """One page per service, the index of all services, and their script (once)."""
    today = reference_date()
    typical = typical_verification(list(ctx.registry.services.values()))
    for service in ctx.registry.services.values():
        yield service_page(ctx, service, today, typical)
    yield services_index(ctx)
    yield from service_script(ctx)


def service_page(ctx: SiteContext, service: Service, today: dt.date, typical: dt.date | None) -> GeneratedPage | Asset:
    """A service's page in the context's language, or the small page sending to its French
    one (``record_languages.has_own_page``)."""
    if not has_own_page(ctx, service.id):
        return french_only_page(ctx, service)
    return GeneratedPage(
        uri=page_url(ctx, service_url(service.id)) + "index.md",
        content=service_markdown(ctx, service, today, typical),
        edit_path=ctx.registry.files[service.id],
    )


def service_script(ctx: SiteContext) -> Iterator[Asset]:
    """The service pages' script (the copy and print buttons), once (with the first language)."""
    if not ctx.prefix:
        yield Asset(uri=SCRIPT_URI, content=(resources.files("generator.site") / "assets" / "service.js").read_bytes())
    yield from hours_assets(ctx)


def _service_rows(ctx: SiteContext, url: str, services: list[Service]) -> str:
    """A table of services: name (linked), organisation, for whom."""
    registry = ctx.registry
    lang = ctx.lang
    rows = []
    for service in sorted(services, key=lambda s: s.name.get(lang).casefold()):
        organisation = registry.organisation_of(service.id)
        rows.append(
            "<tr>"
            f"<td>{record_link(ctx, url, service_url(service.id), service.id, plain(ctx, service.name))}"
            # The star of « Ma sélection »: selection.js names it after the row's link.
            f'<br><button type="button" class="maillage-star" data-maillage-star="{esc(service.id)}" hidden>'
            "</button></td>"
            f"<td>{esc(organisation.short_name or plain(ctx, organisation.name))}</td>"
            f"<td>{esc(describe.summary(registry, service, lang))}</td>"
            "</tr>"
        )
    head = (
        f'<thead><tr><th scope="col">{esc(t("name", lang))}</th><th scope="col">{esc(t("organisation", lang))}</th>'
        f'<th scope="col">{esc(t("for_whom.short", lang))}</th></tr></thead>'
    )
    count = f"<p>{esc(tn(COUNT_SERVICES, len(services), lang))}</p>"
    table = f'<table class="maillage-table">{head}<tbody>{"".join(rows)}</tbody></table>'
    return f'<div class="maillage-section">{count}{table}</div>{selection_scripts(ctx, url)}'


def services_index(ctx: SiteContext) -> GeneratedPage:
    """Every service in one table."""
    url = page_url(ctx, "services/")
    meta = {"title": esc(t("index.services", ctx.lang)), "maillage_lang": ctx.lang, "maillage_kind": "index"}
    content = front_matter(meta) + _service_rows(ctx, url, list(ctx.registry.services.values())) + "\n"
    return GeneratedPage(uri=url + "index.md", content=content)


def organisation_markdown(ctx: SiteContext, organisation: Organisation) -> str:
    """An organisation's page: who it is, how to reach it, its places and services."""
    lang = ctx.lang
    url = page_url(ctx, f"organisations/{organisation.id}/")
    facts = []
    if organisation.short_name:
        facts.append(f"<li>{esc(organisation.short_name)}</li>")
    if organisation.legal_form:
        facts.append(_fact(t("legal_form", lang), esc(organisation.legal_form)))
    if organisation.website:
        facts.append(
            _fact(
                t("website", lang),
                f'<a href="{esc(organisation.website)}" rel="noopener">{esc(organisation.website)}</a>',
            )
        )
    parts = [f'<div class="maillage-lead"><ul>{"".join(facts)}</ul></div>' if facts else ""]
    if organisation.description:
        parts.append(_section(localized(ctx, organisation.description)))
    if organisation.members:
        parts.append(f"## {t('members', lang)}")
        parts.append(_section(localized(ctx, organisation.members)))
    parts.append(f"## {t('services', lang)}")
    parts.append(_service_rows(ctx, url, list(organisation.services)))
    if organisation.contacts:
        parts.append(f"## {t('contact', lang)}")
        items = "".join(contact_item(ctx, c) for c in organisation.contacts)
        parts.append(_section(f'<ul class="maillage-contacts">{items}</ul>'))
    if organisation.sites:
        parts.append(f"## {t('sites', lang)}")
        parts.append(_section(bullet_list(site_line(ctx, s.id) for s in organisation.sites)))
    if organisation.note:
        parts.append(f"## {t('note', lang)}")
        parts.append(_section(localized(ctx, organisation.note)))
    parts.append(edit_note(ctx, url, ctx.registry.files[organisation.id]))
    meta = {"title": esc(plain(ctx, organisation.name)), "maillage_lang": lang, "maillage_kind": "organisation"}
    body = "\n\n".join(p for p in parts if p)
    return (
        front_matter(meta)
        + '<div class="maillage-page maillage-organisation" data-pagefind-body="" markdown="1">\n\n'
        + f"{body}\n\n</div>\n"
    )


def organisation_pages(ctx: SiteContext) -> Iterator[GeneratedPage | Asset]:
    """One page per organisation, and their index."""
    organisations = organisations_in_order(ctx)
    for organisation in organisations:
        yield organisation_page(ctx, organisation)
    yield organisations_index(ctx, organisations)


def organisations_in_order(ctx: SiteContext) -> list[Organisation]:
    """The organisations in the order of their index: by name in the context's language."""
    return sorted(ctx.registry.organisations.values(), key=lambda o: o.name.get(ctx.lang).casefold())


def organisation_page(ctx: SiteContext, organisation: Organisation) -> GeneratedPage | Asset:
    """An organisation's page, with where to edit it, or the small page sending to its French
    one (``record_languages.has_own_page``)."""
    if not has_own_page(ctx, organisation.id):
        return french_only_page(ctx, organisation)
    return GeneratedPage(
        uri=page_url(ctx, f"organisations/{organisation.id}/index.md"),
        content=organisation_markdown(ctx, organisation),
        edit_path=ctx.registry.files[organisation.id],
    )


def organisations_index(ctx: SiteContext, organisations: list[Organisation]) -> GeneratedPage:
    """The index of ``organisations`` (in ``organisations_in_order``)."""
    lang = ctx.lang
    url = page_url(ctx, "organisations/")
    items = [
        record_link(ctx, url, organisation_url(o.id), o.id, plain(ctx, o.name))
        + f" <small>({esc(tn(COUNT_SERVICES, len(o.services), lang))})</small>"
        for o in organisations
    ]
    meta = {"title": esc(t("index.organisations", lang)), "maillage_lang": lang, "maillage_kind": "index"}
    return GeneratedPage(uri=url + "index.md", content=front_matter(meta) + _section(bullet_list(items)) + "\n")


def _vocabulary_pages(ctx: SiteContext, vocabulary: str) -> Iterator[GeneratedPage]:
    lang = ctx.lang
    terms: dict[str, VocabularyTerm] = ctx.registry.vocabularies.vocabulary(vocabulary)
    index_url = page_url(ctx, f"{vocabulary}/")
    items = []
    for term in terms.values():
        url = page_url(ctx, f"{vocabulary}/{term.id}/")
        services = [s for s in ctx.registry.services.values() if term.id in getattr(s, vocabulary)]
        parts = [_section(localized(ctx, term.definition))] if term.definition else []
        parts.append(_service_rows(ctx, url, services))
        meta = {"title": esc(term.label.get(lang)), "maillage_lang": lang, "maillage_kind": vocabulary}
        yield GeneratedPage(
            uri=url + "index.md",
            content=front_matter(meta) + "\n\n".join(parts) + "\n",
            edit_path=f"data/vocabularies/{vocabulary}.yaml",
        )
        items.append(
            link(index_url, url, term.label.get(lang))
            + f" <small>({esc(tn(COUNT_SERVICES, len(services), lang))})</small>"
        )
    meta = {"title": esc(t(f"index.{vocabulary}", lang)), "maillage_lang": lang, "maillage_kind": "index"}
    yield GeneratedPage(
        uri=index_url + "index.md",
        content=front_matter(meta) + _section(bullet_list(items)) + "\n",
        edit_path=f"data/vocabularies/{vocabulary}.yaml",
    )


def need_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """One page per need of the vocabulary, listing its services."""
    return _vocabulary_pages(ctx, "needs")


def function_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """One page per function of the vocabulary, listing its services."""
    return _vocabulary_pages(ctx, "functions")


HOME_ENTRY_MARKER = "<!-- maillage:entry-points -->"

# (label key, page URL) of the entry points; a page that does not exist in this build is left out.
HOME_ENTRIES = (
    (N_("home.orient"), "orient/"),
    (N_("home.gaps"), "gaps/"),
    (N_("home.map"), "map/"),
    (N_("home.downloads"), "downloads/"),
)


def entry_points(lang: str, prefix: str, existing: set[str]) -> str:
    """The home page's links to the tools; ``existing`` is the set of page URLs of the build."""
    from_url = prefix
    items = []
    for key, target in HOME_ENTRIES:
        url = prefix + target
        if url in existing:
            items.append(link(from_url, url, t(key, lang)))
        elif target in existing:
            items.append(link(from_url, target, t(key, lang)))
    contribute = "contribute/"
    if contribute in existing:
        items.append(link(from_url, contribute, t("home.contribute", lang)))
    return bullet_list(items, "maillage-entries")


# « 1 service », « 2 services »: the key of the count and its variants (``plural_key``).
COUNT_SERVICES = "count.services"
COUNT_SERVICES_FORMS = (N_("count.services.one"), N_("count.services.other"))

# The search's example queries on the home page, as catalogue keys (each language its own).
HOME_EXAMPLES = (N_("home.example.1"), N_("home.example.2"), N_("home.example.3"))


def home_orient_form(ctx: SiteContext) -> str:
    """The orientation's first fields: a plain GET form whose address is the orientation
    page's contract (``orient/?age=30&where=Schaerbeek&need=mental-health``), run on load."""
    lang = ctx.lang
    action = href(page_url(ctx, ""), page_url(ctx, "orient/"))
    needs = sorted(ctx.registry.vocabularies.needs.values(), key=lambda term: term.label.get(lang).casefold())
    options = "".join(f'<option value="{esc(term.id)}">{esc(term.label.get(lang))}</option>' for term in needs)
    return (
        f'<form class="maillage-home-form maillage-home-orient" action="{esc(action)}" method="get">'
        '<p class="maillage-home-fields">'
        f'<label class="maillage-home-age">{esc(t("orient.age", lang))}'
        ' <input type="number" name="age" min="0" max="120" inputmode="numeric"></label>'
        f'<label class="maillage-home-where">{esc(t("orient.where", lang))}'
        ' <input type="text" name="where" required autocomplete="off"></label>'
        f'<label class="maillage-home-need">{esc(t("home.need", lang))}'
        f' <select name="need"><option value="">{esc(t("home.need_any", lang))}</option>{options}</select></label>'
        "</p>"
        f'<p><button type="submit">{esc(t("orient.submit", lang))}</button></p>'
        "</form>"
    )


def home_search_form(ctx: SiteContext) -> str:
    """The search: a GET form to this page (``search.js`` opens with ``?q=…``), and examples."""
    lang = ctx.lang
    examples = " · ".join(
        f'<a href="?q={esc(quote(t(key, lang), safe=""))}">{esc(t(key, lang))}</a>' for key in HOME_EXAMPLES
    )
    return (
        '<form class="maillage-home-form maillage-home-search" action="./" method="get" role="search">'
        f'<p><label for="maillage-home-q">{esc(t("home.search_label", lang))}</label>'
        '<span class="maillage-home-query"><input type="search" id="maillage-home-q" name="q" required> '
        f'<button type="submit">{esc(t("home.search_submit", lang))}</button></span></p>'
        f'<p class="maillage-home-examples">{esc(t("home.examples", lang))} {examples}</p>'
        "</form>"
    )


def gaps_sentence(ctx: SiteContext) -> str:
    """One sentence on the zones grises, from the gap report's first analysis (all services,
    cached for the report's own pages), with a link to the report; '' when it has nothing.

    It counts the départements and provinces with no service at all and the publics no
    service surely takes in anywhere; failing both, those that leave some public out.
    """
    from .gaps_page import PAGE_DIR, report

    analyses = report(ctx.registry, tuple(ctx.config.scope)).analyses
    if not analyses:
        return ""
    coverage = analyses[0].units
    summary = coverage.summary
    empty = sum(
        1
        for territory in coverage.territories
        if not any(cell.full_count or cell.partial_count or cell.unknown_count for cell in territory.cells)
    )
    values = {
        "empty": empty,
        "total": summary.territories,
        "nowhere": len(summary.uncovered_everywhere),
        "segments": len(summary.segments),
        "units": sum(1 for territory in coverage.territories if any(cell.is_gap for cell in territory.cells)),
    }
    shown = {name: number(value, ctx.lang) for name, value in values.items()}
    if values["nowhere"]:
        key = N_("home.gaps_line") if empty else N_("home.gaps_nowhere")
    elif empty:
        key = N_("home.gaps_empty")
    elif values["units"]:
        key = N_("home.gaps_units")
    else:
        return ""
    target = link(page_url(ctx, ""), page_url(ctx, PAGE_DIR), t("home.gaps_link", ctx.lang))
    return f'<p class="maillage-home-gaps">{esc(t(key, ctx.lang, **shown))} {target}</p>'


def home_page(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """The home starts the three jobs on its first screen (orient a person, search, the
    zones grises), then lists the directory and says once how old its facts are."""
    registry = ctx.registry
    lang = ctx.lang
    url = page_url(ctx, "")
    from .territory_pages import territory_index

    index = territory_index(registry, ctx.config.scope)
    holds = t(
        "home.holds",
        lang,
        services=number(len(registry.services), lang),
        organisations=number(len(registry.organisations), lang),
        territories=number(len(index.pages), lang),
    )
    state = [esc(holds)]
    if registry.oldest_verification and registry.newest_verification:
        state.append(
            esc(
                t(
                    "home.state",
                    lang,
                    oldest=date_text(registry.oldest_verification, lang),
                    newest=date_text(registry.newest_verification, lang),
                )
            )
        )
    today = reference_date()
    stale = sum(1 for s in registry.services.values() if is_stale(s.verified, ctx.config.stale_months, today))
    about = f"<p>{' '.join(state)}</p>"
    if stale:
        total = number(len(registry.services), lang)
        warning = t("home.stale", lang, months=ctx.config.stale_months, n=number(stale, lang), total=total)
        about += f'<p class="maillage-home-stale">{esc(warning)}</p>'
    browse = [
        link(url, page_url(ctx, "services/"), t("index.services", lang)),
        link(url, page_url(ctx, "organisations/"), t("index.organisations", lang)),
        link(url, page_url(ctx, "territories/"), t("index.territories", lang)),
        link(url, page_url(ctx, "needs/"), t("index.needs", lang)),
        link(url, page_url(ctx, "functions/"), t("index.functions", lang)),
    ]
    # The needs some service works on: a need no service has (the vocabulary is shared with
    # data·inclusion's) is on the needs' list page, not among the home's shortcuts.
    served = {need for service in registry.services.values() for need in service.needs}
    needs = [
        link(url, page_url(ctx, f"needs/{term.id}/"), term.label.get(lang))
        for term in registry.vocabularies.needs.values()
        if term.id in served
    ]
    content = (
        front_matter({"title": esc(t("home.title", lang)), "maillage_lang": lang, "maillage_kind": "home"})
        # One HTML block: the first screen of a phone holds the three jobs, so the title
        # and headings are the home's own, smaller than Material's.
        + '<div class="maillage-home-start">'
        + f'<h1 class="maillage-home-title">{esc(t("site.tagline", lang))}</h1>'
        + f'<h2 id="orient">{esc(t("orient.title", lang))}</h2>'
        + home_orient_form(ctx)
        + f'<h2 id="search">{esc(t("home.search", lang))}</h2>'
        + home_search_form(ctx)
        + gaps_sentence(ctx)
        + "</div>"
        + f"\n\n## {t('home.browse', lang)}\n\n"
        + _section(bullet_list(browse, "maillage-entries") + bullet_list(needs, "maillage-needs maillage-inline-list"))
        + f"\n\n## {t('home.tools', lang)}\n\n"
        + f'<div class="maillage-section">\n{HOME_ENTRY_MARKER}\n</div>\n'
        + f"\n## {t('home.about', lang)}\n\n"
        + _section(about)
        + "\n"
    )
    yield GeneratedPage(uri=url + "index.md", content=content)
