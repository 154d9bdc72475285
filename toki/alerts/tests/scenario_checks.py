"""A step's expectations against what was seen (scenario_surfaces.Observation): one line per check, so that a
failing scenario prints the timeline of what was expected and what was seen."""

from dataclasses import dataclass

from toki.alerts.tests.scenario_files import CAP_ALERT_FIELDS, CAP_INFO_FIELDS, LANGUAGES
from toki.alerts.tests.scenario_surfaces import Observation, nothing_in_force_text

SHOWN = 160  # characters of a seen text quoted in the timeline


@dataclass(frozen=True)
class Check:
    ok: bool
    what: str  # the expectation, e.g. "shows 'Tsunami Advisory' in force"
    seen: str = ""
    where: str = ""  # the surface, e.g. "home [en]"


def says(text: str | None, phrase: tuple) -> bool:
    """Whether a person reading `text` reads the phrase (any of its accepted wordings; case does not matter)."""
    folded = (text or "").casefold()
    return any(wording.casefold() in folded for wording in phrase)


def _name(phrase: tuple) -> str:
    return " or ".join(repr(wording) for wording in phrase)


def _quote(text: str | None) -> str:
    if text is None:
        return "(no in-force box on the page)"
    return repr(text if len(text) <= SHOWN else text[:SHOWN] + "…")


def _surface_checks(expect: dict, phrases: dict, observation: Observation) -> list[Check]:
    checks = []
    for s in observation.surfaces:
        where = f"{s.name} [{s.language}]"
        if s.status != 200:
            checks.append(Check(False, "answers 200", s.error or f"HTTP {s.status}", where))
            continue
        box = s.box or ""
        for key in expect["in_force"]:
            phrase = phrases[key][s.language]
            checks.append(Check(says(box, phrase), f"shows {_name(phrase)} in force", _quote(s.box), where))
        for key in expect["gone"]:
            phrase = phrases[key][s.language]
            checks.append(Check(not says(box, phrase), f"no longer shows {_name(phrase)} in force", _quote(s.box),
                                where))
        if expect["nothing_in_force"]:
            if s.name == "API current":
                checks.append(Check(s.box is None, "lists nothing in force", _quote(s.box), where))
            else:
                empty = nothing_in_force_text(s.language)
                checks.append(Check(empty in box, f"says {empty!r}", _quote(s.box), where))
        if s.name == "warnings":
            for key in expect["listed"]:
                phrase = phrases[key][s.language]
                checks.append(Check(says(s.page, phrase), f"lists {_name(phrase)} in the timeline", "not on the page",
                                    where))
    return checks


def _messages_checks(where: str, messages: list[str], wanted: tuple, unwanted: tuple, phrases: dict,
                     language: str) -> list[Check]:
    """One subscriber's new messages of a step: none if nothing is wanted, else exactly one saying it all."""
    if not wanted:
        return [Check(not messages, f"{where} receives nothing",
                      f"{len(messages)} message(s): " + " / ".join(_quote(m) for m in messages))]
    checks = [Check(len(messages) == 1, f"{where} receives exactly one message",
                    f"{len(messages)} message(s)" + (": " + " / ".join(_quote(m) for m in messages) if messages
                                                     else ""))]
    text = "\n".join(messages)
    for key in wanted:
        phrase = phrases[key][language]
        checks.append(Check(says(text, phrase), f"{where} message says {_name(phrase)}",
                            _quote(text) if text else "-"))
    for key in unwanted:
        phrase = phrases[key][language]
        checks.append(Check(not says(text, phrase), f"{where} message does not say {_name(phrase)}", _quote(text)))
    return checks


def _line_checks(expect: dict, phrases: dict, observation: Observation, residents: dict) -> list[Check]:
    checks = []
    for language in LANGUAGES:  # the residents of the whole municipality, one per language
        checks += _messages_checks(f"LINE [{language}]", observation.line.get(language, []), expect["line"],
                                   expect["line_not"], phrases, language)
    for name, spec in residents.items():  # the scenario's residents of some districts
        checks += _messages_checks(f"LINE [{name}, {spec['language']}, {'/'.join(spec['districts'])}]",
                                   observation.line.get(name, []), expect["line_to"].get(name, ()), (), phrases,
                                   spec["language"])
    return checks


def _cap_checks(expect: dict, phrases: dict, observation: Observation) -> list[Check]:
    cap = expect["cap"]
    if not cap:
        return []
    if observation.cap_error or not observation.cap.get("infos"):
        return [Check(False, "CAP feed's newest message can be read", observation.cap_error or "no entry")]
    seen = observation.cap
    checks = [Check(seen[name] == cap[name], f"CAP {name} = {cap[name]}", f"{seen[name]} ({seen['url']})")
              for name in CAP_ALERT_FIELDS if name in cap]
    for info in seen["infos"]:
        language = info["language"]
        checks += [Check(info[name] == cap[name], f"CAP info[{language}] {name} = {cap[name]}", info[name])
                   for name in CAP_INFO_FIELDS if name in cap]
        reader = "en" if language.startswith("en") else "ja" if language.startswith("ja") else None
        for key in cap.get("headline", ()):
            if reader:
                phrase = phrases[key][reader]
                checks.append(Check(says(info["headline"], phrase),
                                    f"CAP info[{language}] headline says {_name(phrase)}", _quote(info["headline"])))
    return checks


def _api_checks(expect: dict, observation: Observation) -> list[Check]:
    checks = []
    for name, value in expect["api"].items():
        for language, data in observation.api.items():
            if not data:
                continue
            if name == "orders":
                seen = sorted(f"{o['district']}:{o['level']}" for o in data["evacuation_orders"])
                checks.append(Check(seen == sorted(value), f"API [{language}] orders in force {sorted(value)}",
                                    str(seen)))
            elif name == "levels":
                seen = sorted({a["level"] for a in data["alerts"] if a["level"] is not None})
                checks.append(Check(seen == sorted(value), f"API [{language}] levels in force {value}", str(seen)))
    return checks


def check_step(expect: dict, phrases: dict, observation: Observation, residents: dict) -> list[Check]:
    return (_surface_checks(expect, phrases, observation) + _line_checks(expect, phrases, observation, residents)
            + _cap_checks(expect, phrases, observation) + _api_checks(expect, observation))
