"""What is in force for the municipality, worded for people: the one place every public surface (portal pages,
the 軽量版, the tourist page, LINE replies) takes the titles of the warnings in force from, and the words of the
evacuation orders in force (order_words)."""

from dataclasses import dataclass

from toki.alerts.models import Alert, EvacuationOrder, WarningState
from toki.alerts.rendering.lang import Lang
from toki.alerts.rendering.render import render
from toki.alerts.selectors import public_warnings_in_force

# Warning systems whose state is worded from the state itself when the telegram behind it only lifted: the
# kind's term table, keyed by the state's kind code.
_STATE_TABLES = {"tsunami": "tsunami"}


def title_of(alert: Alert, language: str) -> str:
    """The alert's title in `language`, as the renderer words it (the same words LINE and CAP use)."""
    return render(alert.facts, language, msg_type=alert.msg_type).title


def _state_title(state: WarningState, language: str) -> str:
    """「佐渡に津波予報（若干の海面変動）」: what one state says is in force, in `language`."""
    lang = Lang(language)
    category, _known = lang.term(_STATE_TABLES[state.system], state.kind_code, state.kind_name)
    area = {"code": state.area_code, "name": state.area_name, "system": "tsunami_region"}
    return lang("tsunami_title", place=lang.place(area), category=category)


def titles_of_states(states, language: str) -> list[str]:
    """Per alert, newest first: its title; but when the alert only lifted (a downgrade to 若干の海面変動 whose
    forecast is still in force), the title of what is in force, never 「…を解除」 in an "in force" box."""
    alerts = sorted({state.alert for state in states}, key=lambda a: (a.sent_at, a.pk), reverse=True)
    titles = []
    for alert in alerts:
        own = [s for s in states if s.alert_id == alert.pk]
        if (alert.facts or {}).get("all_clear") and all(s.system in _STATE_TABLES for s in own):
            titles.extend(dict.fromkeys(_state_title(s, language) for s in own))
        else:
            titles.append(title_of(alert, language))
    return titles


def warning_titles(municipality, language: str, *, now=None) -> list[str]:
    """The titles of the warnings in force for the municipality now, newest first, in `language`."""
    return titles_of_states(public_warnings_in_force(municipality, now=now), language)


@dataclass(frozen=True, slots=True)
class OrderWords:
    """An evacuation order in force, worded for a reader of one language with the renderer's phrases (the same
    words as the LINE message and the CAP feed): never a page's own wording of a level."""

    name: str  # 「避難指示（警戒レベル４）」
    action: str  # 「危険な場所から全員避難。」
    hazard: str  # 「土砂災害」
    issued: str  # 「6日 10時30分」
    reason_label: str  # how the reason staff typed is labelled: "" on Japanese pages, "the city's original text" else


def order_words(order: EvacuationOrder, language: str) -> OrderWords:
    lang = Lang(language)
    level = int(order.level)
    name = lang("evac_order_level", order=lang.text("evacuation", str(level)), level=lang.level(level))
    return OrderWords(
        name=name,
        action=lang(f"action_short_{level}"),
        hazard=lang.text("hazard", order.hazard, order.get_hazard_display()),
        issued=lang.time(order.issued_at.isoformat()),
        reason_label="" if language == "ja" else lang("free_label_city"),
    )
