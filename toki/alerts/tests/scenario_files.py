"""Loading disaster-day scenarios (toki/alerts/scenarios/<name>/scenario.yaml, docs/scenarios.md) and checking
their shape, so a typo in a scenario is a clear error that names the file, the step and the field."""

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
LANGUAGES = ("ja", "ja-easy", "en", "zh-hans", "ko")
ACTIONS = ("telegrams", "order", "lift", "cap", "relist")
EXPECTATIONS = ("in_force", "gone", "nothing_in_force", "listed", "line", "line_not", "line_to", "cap", "api")
CAP_ALERT_FIELDS = ("msgType", "status")
CAP_INFO_FIELDS = ("responseType", "urgency", "severity", "certainty", "category")


class ScenarioError(ValueError):
    """A scenario file that cannot be replayed: says which file, step and field."""


@dataclass(frozen=True)
class Step:
    number: int
    at: datetime
    say: str
    telegrams: tuple = ()  # (file, published name)
    relist: tuple = ()  # published names listed again in the feed
    order: dict | None = None
    lift: dict | None = None
    cap: str = ""
    expect: dict = field(default_factory=dict)

    def actions(self) -> str:
        parts = [f"JMA {file}" + (f" as {name}" if name != file else "") for file, name in self.telegrams]
        parts += [f"feed lists {name} again" for name in self.relist]
        if self.order:
            order = self.order
            parts.append(f"city issues Lv{order['level']} {order['hazard']} for {', '.join(order['districts'])}")
        if self.lift:
            parts.append(f"city lifts {self.lift['hazard']} orders of {', '.join(self.lift['districts'])}")
        if self.cap:
            parts.append(f"partner CAP {self.cap}")
        return "; ".join(parts) or "(time passes)"


@dataclass(frozen=True)
class Scenario:
    name: str
    directory: Path
    title: str
    proves: str
    steps: tuple
    phrases: dict
    residents: dict = field(default_factory=dict)  # name → {"language", "districts"}: LINE subscribers of districts

    def file(self, name: str) -> Path:
        return self.directory / name


def _fail(where: str, message: str):
    raise ScenarioError(f"{where}: {message}")


def load_phrases() -> dict:
    """Phrase key → language → the phrase, as a tuple of accepted wordings (a list in the file: any one of them,
    where a term's wording is not settled yet)."""
    raw = yaml.safe_load((SCENARIOS / "phrases.yaml").read_text(encoding="utf-8"))
    phrases = {}
    for key, by_language in raw.items():
        missing = [lang for lang in LANGUAGES if not by_language.get(lang)]
        if missing:
            _fail(f"phrases.yaml: {key}", f"no phrase for {', '.join(missing)}")
        phrases[key] = {lang: tuple(v) if isinstance(v, list) else (str(v),) for lang, v in by_language.items()}
    return phrases


def _phrase_keys(where: str, value, phrases: dict) -> tuple:
    if not isinstance(value, list):
        _fail(where, "must be a list of phrase keys")
    unknown = [key for key in value if key not in phrases]
    if unknown:
        _fail(where, f"unknown phrase key(s) {', '.join(map(str, unknown))} (phrases.yaml)")
    return tuple(value)


def _expect(where: str, raw: dict, phrases: dict, residents: dict) -> dict:
    if not isinstance(raw, dict):
        _fail(where, "expect must be a mapping")
    unknown = set(raw) - set(EXPECTATIONS)
    if unknown:
        _fail(where, f"unknown expectation(s) {', '.join(sorted(unknown))}; known: {', '.join(EXPECTATIONS)}")
    expect = {key: _phrase_keys(f"{where}.{key}", raw.get(key, []), phrases)
              for key in ("in_force", "gone", "listed", "line", "line_not")}
    expect["nothing_in_force"] = bool(raw.get("nothing_in_force", False))
    cap = raw.get("cap") or {}
    bad = set(cap) - set(CAP_ALERT_FIELDS) - set(CAP_INFO_FIELDS) - {"headline"}
    if bad:
        _fail(f"{where}.cap", f"unknown field(s) {', '.join(sorted(bad))}")
    if "headline" in cap:
        cap = {**cap, "headline": _phrase_keys(f"{where}.cap.headline", cap["headline"], phrases)}
    expect["cap"] = cap
    expect["api"] = raw.get("api") or {}
    line_to = raw.get("line_to") or {}
    unknown = set(line_to) - set(residents)
    if unknown:
        _fail(f"{where}.line_to", f"resident(s) {', '.join(sorted(unknown))} not declared under `residents`")
    expect["line_to"] = {name: _phrase_keys(f"{where}.line_to.{name}", keys, phrases) for name, keys in line_to.items()}
    return expect


def _step(where: str, number: int, raw: dict, directory: Path, phrases: dict, residents: dict) -> Step:
    if not isinstance(raw, dict):
        _fail(where, "a step must be a mapping")
    unknown = set(raw) - {"at", "say", "expect", *ACTIONS}
    if unknown:
        _fail(where, f"unknown field(s) {', '.join(sorted(unknown))}")
    at = raw.get("at")
    if not isinstance(at, datetime) or at.tzinfo is None:
        _fail(f"{where}.at", "give a date-time with its offset, e.g. 2016-09-01T07:13:30+09:00")
    telegrams = []
    for entry in raw.get("telegrams", []):
        file, name = (entry, entry) if isinstance(entry, str) else (entry.get("file"), entry.get("as"))
        if not file or not (directory / file).is_file():
            _fail(f"{where}.telegrams", f"no telegram file {file!r} beside the scenario")
        telegrams.append((file, name or file))
    for key in ("order", "lift"):
        spec = raw.get(key)
        if spec is not None and (not isinstance(spec, dict) or not spec.get("districts") or not spec.get("hazard")):
            more = ", level and reason" if key == "order" else ""
            _fail(f"{where}.{key}", f"give districts (codes) and hazard{more}")
    if raw.get("order") and raw["order"].get("level") not in (3, 4, 5):
        _fail(f"{where}.order.level", "must be 3, 4 or 5")
    if raw.get("cap") and not (directory / raw["cap"]).is_file():
        _fail(f"{where}.cap", f"no CAP file {raw['cap']!r} beside the scenario")
    return Step(number=number, at=at, say=str(raw.get("say", "")), telegrams=tuple(telegrams),
                relist=tuple(raw.get("relist", [])), order=raw.get("order"), lift=raw.get("lift"),
                cap=raw.get("cap", ""), expect=_expect(f"{where}.expect", raw.get("expect", {}), phrases, residents))


def load(directory: Path, phrases: dict | None = None) -> Scenario:
    phrases = load_phrases() if phrases is None else phrases
    path = directory / "scenario.yaml"
    where = str(path.relative_to(SCENARIOS.parent) if path.is_relative_to(SCENARIOS.parent) else path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        _fail(where, f"not valid YAML: {error}")
    if not isinstance(raw, dict) or not raw.get("steps"):
        _fail(where, "needs a title, proves and steps")
    residents = raw.get("residents") or {}
    for name, spec in residents.items():
        if not isinstance(spec, dict) or spec.get("language") not in LANGUAGES or not spec.get("districts"):
            _fail(f"{where} residents.{name}", f"give a language ({', '.join(LANGUAGES)}) and districts (codes)")
    steps = tuple(_step(f"{where} step {i}", i, s, directory, phrases, residents)
                  for i, s in enumerate(raw["steps"], 1))
    if any(b.at < a.at for a, b in itertools.pairwise(steps)):
        _fail(where, "steps must be in time order (`at`)")
    return Scenario(name=directory.name, directory=directory, title=str(raw.get("title", directory.name)),
                    proves=str(raw.get("proves", "")), steps=steps, phrases=phrases, residents=residents)


def all_scenarios() -> list[Path]:
    return sorted(p.parent for p in SCENARIOS.glob("*/scenario.yaml"))
