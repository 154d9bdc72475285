"""The messages Toki answers with in LINE, as Messaging API message objects (plain dicts, valid per
data/line-openapi/messaging-api.yml). Call these inside `translation.override(subscriber.language)`.

Nothing here reads who the user is beyond their settings: replies carry public information and the subscriber's
own choices, never another person's data. Labels of quick-reply buttons stay within LINE's 20 characters.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from toki.lib.geo import directions_url
from toki.lib.site_links import site_link
from toki.notify.models import MAX_DISTRICTS, Category, Subscriber
from toki.shelters.models import Crowding, OpeningStatus

MAX_LIST_ITEMS = 10  # orders, warnings or lifelines listed in one reply; the rest are on the site
LABEL_MAX = 20  # LINE's limit for quick-reply and template button labels


def site_url(name: str, *args) -> str:
    """The page in the reader's language (the one the reply is built in): a tourist opens English pages."""
    return site_link(reverse(name, args=args), get_language() or "")


def label(text: str) -> str:
    return text if len(text) <= LABEL_MAX else text[:LABEL_MAX - 1] + "…"


def postback(text: str, data: str, *, display: str | None = None) -> dict:
    action = {"type": "postback", "label": label(text), "data": data}
    if display != "":
        action["displayText"] = display or text
    return action


def quick(*actions: dict) -> dict:
    return {"items": [{"type": "action", "action": action} for action in actions[:13]]}


def text_message(body: str, *, quick_reply: dict | None = None) -> dict:
    message = {"type": "text", "text": body[:5000]}
    if quick_reply:
        message["quickReply"] = quick_reply
    return message


def main_quick_reply() -> dict:
    """The four things people ask for most, one tap away under any answer."""
    return quick(postback(_("Latest"), "action=latest"), postback(_("Shelters"), "action=shelters"),
                 postback(_("Lifelines"), "action=lifelines"), postback(_("Settings"), "action=settings"),
                 postback(_("Help"), "action=help"))


def reads_japanese() -> bool:
    return get_language() in ("ja", "ja-easy")


def district_name(district) -> str:
    return district.name_en if not reads_japanese() and district.name_en else district.name


def city_name(municipality=None) -> str:
    """佐渡市, and for readers of other languages also its English name: a visitor may not know where they are."""
    if municipality is None:
        from toki.areas.selectors import default_municipality

        municipality = default_municipality()
    if municipality is None:
        return _("the city")
    if reads_japanese() or not municipality.name_en:
        return municipality.name
    return f"{municipality.name_en} ({municipality.name})"


def place_lines(shelter) -> tuple[str, str]:
    """(name, address) as a card shows them: Japanese for Japanese readers; otherwise the municipality's own
    translation or the Latin reading first and the Japanese after it (to match the sign at the door, or to show a
    local person or a taxi driver): toki.lib.readings, as the public shelter pages show them."""
    from toki.lib.readings import local_text

    return (str(local_text(shelter.name, shelter.translations, "name")),
            str(local_text(shelter.address, shelter.translations, "address")))


# --- Greetings and help -------------------------------------------------------------------------------------


def help_messages(municipality=None) -> list[dict]:
    body = "\n".join([
        _("This is the disaster information account of %(city)s.") % {"city": city_name(municipality)},
        _("Send one of these words, or use the menu below:"),
        "・" + _("\"Latest\": evacuation orders and warnings in force"),
        "・" + _("\"Shelter\": shelters near you (then send your location)"),
        "・" + _("\"Lifelines\": ferries, roads, power and water"),
        "・" + _("\"Settings\": language, districts and what you receive"),
        "・" + _("\"English\", \"日本語\", \"中文\", \"한국어\": change the language"),
        _("Send your location (+ → Location) to see the nearest shelters."),
    ])
    return [text_message(body, quick_reply=main_quick_reply())]


def welcome_messages(subscriber: Subscriber, settings_link: str, *, returning: bool = False) -> list[dict]:
    """The welcome: a new friend receives everything for all of the city; a returning friend is told the
    settings they kept (their districts, not "all of the city")."""
    city = city_name(subscriber.municipality)
    if returning:
        lines = [_("Welcome back to the disaster information account of %(city)s. Your settings were kept:")
                 % {"city": city}, *settings_summary(subscriber)]
    else:
        lines = [_("Thank you for adding the disaster information account of %(city)s.") % {"city": city},
                 _("You will receive evacuation orders, warnings, shelter openings and lifeline news for all of the "
                   "city.")]
    body = "\n".join([
        *lines,
        _("Choose your districts, language and what you receive here (the link works once, for 24 hours):"),
        settings_link,
    ])
    language_choice = quick(*[postback(name, f"action=set&language={code}", display=name)
                              for code, name in settings.LANGUAGES])
    return [text_message(body), text_message(_("Which language do you prefer?"), quick_reply=language_choice)]


def join_messages() -> list[dict]:
    return [text_message("\n".join([
        _("This is the disaster information account of the city."),
        _("Send \"Latest\" or \"Shelter\" to see what is in force and where to go."),
    ]))]


# --- Information ------------------------------------------------------------------------------------------


def latest_messages(municipality) -> list[dict]:
    """Evacuation orders and warnings in force now, with the link to the warnings page."""
    from toki.alerts.in_force import warning_titles
    from toki.alerts.selectors import orders_in_force
    from toki.portal.site_mode import disaster_mode

    now = timezone.localtime()
    lines = [_("Latest disaster information (%(time)s)") % {"time": now.strftime("%m/%d %H:%M")}]
    mode = disaster_mode(municipality)
    if mode is not None:
        # やさしい日本語 readers get the city's Japanese message (message_for), led by a fixed sentence in their
        # language; other readers the English one when there is one.
        lines += ["", "⚠ " + _("%(city)s is in disaster mode.") % {"city": city_name(municipality)},
                  mode.message_for(get_language() or "ja")]
    orders = list(orders_in_force(municipality)[:MAX_LIST_ITEMS + 1])
    lines += ["", "■ " + _("Evacuation information")]
    if orders:
        lines += [f"・{district_name(o.district)}: {o.get_level_display()} ({o.get_hazard_display()})"
                  for o in orders[:MAX_LIST_ITEMS]]
        if len(orders) > MAX_LIST_ITEMS:
            lines.append("・" + _("and more on the website"))
    else:
        lines.append(_("No evacuation order is in force."))
    warnings = warning_titles(municipality, get_language() or "ja")
    lines += ["", "■ " + _("Weather warnings and advisories")]
    if warnings:
        lines += [f"・{title}" for title in warnings[:MAX_LIST_ITEMS]]
        if len(warnings) > MAX_LIST_ITEMS:
            lines.append("・" + _("and more on the website"))
    else:
        lines.append(_("No warning or advisory is in force."))
    lines += ["", _("Details: %(url)s") % {"url": site_url("portal:warnings")}]
    return [text_message("\n".join(lines), quick_reply=main_quick_reply())]


def lifelines_messages(municipality) -> list[dict]:
    """Lifelines that are disrupted now (or that all run normally), with the link to the lifelines page."""
    from toki.lifelines.selectors import lifelines_for_public

    lifelines = list(lifelines_for_public(municipality))
    disrupted = [lifeline for lifeline in lifelines if lifeline.is_disrupted]
    lines = ["■ " + _("Lifelines")]
    if disrupted:
        lines += [f"{x.status_symbol} {x.name}: {x.get_status_display()}" for x in disrupted[:MAX_LIST_ITEMS]]
        if len(disrupted) > MAX_LIST_ITEMS:
            lines.append("・" + _("and more on the website"))
    elif lifelines:
        lines.append(_("All lifelines we follow are running normally."))
    else:
        lines.append(_("No lifeline status has been published yet."))
    lines += ["", _("Details: %(url)s") % {"url": site_url("lifelines:index")}]
    return [text_message("\n".join(lines), quick_reply=main_quick_reply())]


def shelter_prompt_messages() -> list[dict]:
    body = "\n".join([
        _("Send your location to see the three nearest shelters with the way there."),
        _("All shelters and which are open: %(url)s") % {"url": site_url("portal:shelters")},
    ])
    return [text_message(body, quick_reply=quick({"type": "location", "label": label(_("Send my location"))},
                                                 postback(_("Latest"), "action=latest")))]


def preparedness_messages() -> list[dict]:
    return [text_message(_("Be prepared: hazard maps, what to keep at home, emergency numbers: %(url)s")
                         % {"url": site_url("portal:preparedness")}, quick_reply=main_quick_reply())]


def distance_text(km: float) -> str:
    if km < 1:
        return _("about %(metres)d m") % {"metres": max(10, round(km * 1000, -1))}
    return _("about %(km).1f km") % {"km": km}


def open_status_text(opening) -> str:
    """開設 / 満員 and the crowding (空き / 混雑 / 満員) of an open shelter, for a reply card."""
    if opening.status == OpeningStatus.FULL or opening.crowding == Crowding.FULL:
        return _("Open, full")
    if opening.crowding == Crowding.CROWDED:
        return _("Open, crowded")
    if opening.crowding == Crowding.VACANT:
        return _("Open, space available")
    return _("Open")


def in_force_messages(municipality) -> list[dict]:
    """What is in force now, first in a location reply: the orders for each district and the warnings, from the
    same selectors as every other surface; [] when nothing is."""
    from toki.alerts.in_force import warning_titles
    from toki.alerts.selectors import orders_in_force

    lines = [f"・{district_name(o.district)}: {o.get_level_display()} ({o.get_hazard_display()})"
             for o in orders_in_force(municipality)[:MAX_LIST_ITEMS]]
    lines += [f"・{title}" for title in warning_titles(municipality, get_language() or "ja")[:MAX_LIST_ITEMS]]
    if not lines:
        return []
    return [text_message("⚠ " + _("In force now") + "\n" + "\n".join(lines))]


def hazard_names(codes) -> str:
    from toki.shelters.hazards import hazard_label

    return joined(hazard_label(code) for code in codes)


def designated_hazards(site) -> list[str]:
    """The hazard codes a site is designated for (the GSI columns), in the GSI order."""
    from toki.shelters.hazards import HAZARD_CODES, hazard_field

    return [code for code in HAZARD_CODES if getattr(site, hazard_field(code))]


def site_card(place, none_open: bool) -> dict:
    """One carousel bubble: name and address (readable in Latin letters for other languages), open or not,
    distance and district, which hazards the site is designated for, and a warning when it is not designated for
    a hazard in force; a walking route button."""
    site = place.site
    name, address = place_lines(site)
    if place.opening is not None:
        status = open_status_text(place.opening)
    else:
        status = _("No shelter is open yet") if none_open else _("Not open now")
    details = [status, distance_text(place.distance_km)]
    if site.district is not None:
        details.append(district_name(site.district))
    body = [{"type": "text", "text": name, "weight": "bold", "size": "xl", "wrap": True},
            {"type": "text", "text": " ・ ".join(details), "size": "lg", "wrap": True, "margin": "md"}]
    if place.not_designated_for:
        body.append({"type": "text", "text": "⚠ " + _("Not designated for %(hazards)s")
                     % {"hazards": hazard_names(place.not_designated_for)}, "size": "md", "wrap": True,
                     "margin": "md", "weight": "bold", "color": "#B00020"})
    designated = designated_hazards(site)
    body.append({"type": "text", "wrap": True, "size": "md", "margin": "md",
                 "text": (_("Designated for: %(hazards)s") % {"hazards": hazard_names(designated)}) if designated
                 else _("Designated for: not stated")})
    if address:
        body.append({"type": "text", "text": address, "size": "md", "wrap": True, "margin": "sm",
                     "color": "#555555"})
    return {
        "type": "bubble",
        "body": {"type": "box", "layout": "vertical", "contents": body},
        "footer": {"type": "box", "layout": "vertical", "contents": [{
            "type": "button", "style": "primary", "height": "md",
            "action": {"type": "uri", "label": label(_("Route on the map")),
                       "uri": directions_url(site.lat, site.lon)}}]},
    }


def nearest_shelters_messages(nearby: list, *, hazards=(), in_force: list[dict] = ()) -> list[dict]:
    """A carousel of the places for a location (handlers.places_for_location): what is in force now
    (`in_force_messages`) before it; each card says whether it is open and what it is designated for; when none
    is open, the cards and the preview say so."""
    if not nearby:
        return [*in_force, text_message(_("No shelter was found near this place. All shelters: %(url)s")
                                        % {"url": site_url("portal:shelters")}, quick_reply=main_quick_reply())]
    none_open = all(item.opening is None for item in nearby)
    bubbles = [site_card(item, none_open) for item in nearby]
    names = joined(f"{place_lines(n.site)[0]} ({distance_text(n.distance_km)})" for n in nearby)
    heading = (_("No shelter is open now. The nearest designated shelters: %(names)s") if none_open
               else _("Nearest open shelters: %(names)s"))
    if hazards:
        heading = _("For %(hazards)s:") % {"hazards": hazard_names(hazards)} + ("" if reads_japanese() else " ") \
            + heading
    return [
        *in_force,
        {"type": "flex", "altText": (heading % {"names": names})[:400],
         "contents": {"type": "carousel", "contents": bubbles}},
        text_message(_("Which shelters are open now in %(city)s: %(url)s")
                     % {"city": city_name(), "url": site_url("portal:shelters")}, quick_reply=main_quick_reply()),
    ]


def distress_messages(municipality, hazards, places) -> list[dict]:
    """The answer to someone who may be in danger: call 119 / 110 now, nobody reads this chat, and where to go now
    (the open places for the hazards in force, with a route), or what to do when none is open."""
    lines = [
        _("If you or someone near you is in danger, call 119 (fire and ambulance) or 110 (police) now."),
        _("Nobody reads this chat: a person cannot answer messages sent here."),
        "",
    ]
    if hazards:
        lines.append(_("In force now in %(city)s: %(hazards)s")
                     % {"city": city_name(municipality), "hazards": hazard_names(hazards)})
    if places:
        lines.append(_("Open shelters to go to now:"))
        for place in places:
            name, _address = place_lines(place.site)
            warning = (" ⚠ " + _("Not designated for %(hazards)s") % {"hazards": hazard_names(place.not_designated_for)}
                       if place.not_designated_for else "")
            lines += [f"・{name}{warning}", "  " + directions_url(place.site.lat, place.site.lon)]
    else:
        lines.append(_("No shelter is open yet. If it is dangerous where you are, move now to a safer place "
                       "nearby: higher ground, or an upper floor of a sturdy building away from slopes and rivers."))
    lines += ["", _("Send your location to see the nearest shelters.")]
    return [text_message("\n".join(lines), quick_reply=quick(
        {"type": "location", "label": label(_("Send my location"))}, postback(_("Latest"), "action=latest")))]


# --- 受信設定 in LINE -----------------------------------------------------------------------------------------


def joined(items) -> str:
    return ("、" if get_language() in ("ja", "ja-easy", "zh-hans") else ", ").join(items)


def settings_summary(subscriber: Subscriber) -> list[str]:
    language = dict(settings.LANGUAGES).get(subscriber.language, subscriber.language)
    if subscriber.all_districts:
        where = _("all of the city")
    else:
        where = joined(district_name(d) for d in subscriber.districts.order_by("sort_order"))
    kinds = joined(str(Category(c).label) for c in subscriber.categories if c in Category.values)
    labels = (_("Language"), _("You are"), _("Districts"), _("Information"))  # not in f-strings: xgettext
    values = (language, subscriber.get_audience_display(), where, kinds or "-")
    return [f"{name}: {value}" for name, value in zip(labels, values, strict=True)]


def settings_menu_messages(subscriber: Subscriber, settings_link: str) -> list[dict]:
    """The current settings and a button for each thing to change, plus the one-time web form link."""
    rows = [{"type": "text", "text": _("Your settings"), "weight": "bold", "size": "xl"}]
    rows += [{"type": "text", "text": line, "wrap": True, "size": "md", "margin": "sm"}
             for line in settings_summary(subscriber)]
    buttons = [(_("Language"), "action=settings&step=language"),
               (_("Resident or visitor"), "action=settings&step=audience"),
               (_("Districts"), "action=settings&step=districts"),
               (_("What to receive"), "action=settings&step=categories")]
    # Short labels that shrink rather than being cut off on a 360 px phone ("Information to rece…").
    footer = [{"type": "button", "style": "secondary", "margin": "sm", "adjustMode": "shrink-to-fit",
               "action": postback(text, data)} for text, data in buttons]
    footer.append({"type": "button", "style": "link", "margin": "sm",
                   "action": {"type": "uri", "label": label(_("Settings page")), "uri": settings_link}})
    bubble = {"type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": rows},
              "footer": {"type": "box", "layout": "vertical", "contents": footer}}
    return [{"type": "flex", "altText": _("Your settings") + ": " + " / ".join(settings_summary(subscriber)),
             "contents": bubble}]


def language_step_messages() -> list[dict]:
    return [text_message(_("Choose the language of the messages."),
                         quick_reply=quick(*[postback(name, f"action=set&language={code}")
                                             for code, name in settings.LANGUAGES]))]


def audience_step_messages() -> list[dict]:
    return [text_message(_("Do you live in the city, or are you visiting?"), quick_reply=quick(
        postback(_("I live here"), f"action=set&audience={Subscriber.Audience.RESIDENT}"),
        postback(_("I am visiting"), f"action=set&audience={Subscriber.Audience.TOURIST}")))]


def districts_step_messages(subscriber: Subscriber, note: str = "") -> list[dict]:
    chosen = set() if subscriber.all_districts else set(subscriber.districts.values_list("code", flat=True))
    items = [postback(("✓ " if subscriber.all_districts else "") + _("All of the city"), "action=district&all=1")]
    for district in subscriber.municipality.districts.order_by("sort_order", "code")[:11]:
        mark = "✓ " if district.code in chosen else ""
        items.append(postback(mark + district_name(district), f"action=district&code={district.code}"))
    items.append(postback(_("Done"), "action=settings"))
    lines = [note] if note else []
    lines.append(_("Tap up to %(max)d districts to receive their alerts (tap again to remove), or all of the city.")
                 % {"max": MAX_DISTRICTS})
    return [text_message("\n".join(lines + settings_summary(subscriber)[2:3]), quick_reply=quick(*items))]


def categories_step_messages(subscriber: Subscriber, note: str = "") -> list[dict]:
    items = [postback(("✓ " if code in subscriber.categories else "") + str(name), f"action=category&code={code}")
             for code, name in Category.choices]
    items.append(postback(_("Done"), "action=settings"))
    lines = [note] if note else []
    lines.append(_("Tap what you want to receive (✓ = on; tap again to turn off)."))
    return [text_message("\n".join(lines + settings_summary(subscriber)[3:]), quick_reply=quick(*items))]


def saved_messages(subscriber: Subscriber) -> list[dict]:
    return [text_message("\n".join([_("Saved. Your settings now:"), *settings_summary(subscriber)]),
                         quick_reply=quick(postback(_("Settings"), "action=settings"),
                                           postback(_("Latest"), "action=latest"), postback(_("Help"), "action=help")))]
