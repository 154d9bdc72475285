"""What a topic renderer produces, and the helpers every topic shares."""

from dataclasses import dataclass, field

from toki.alerts.rendering.lang import Lang

# Kind tables whose names carry the 警戒レベル (R06: 「レベル３大雨警報」), so a known level is shown with the name.
LEVEL_NAMED_TABLES = ("weather", "landslide_r06", "river_r06")


@dataclass
class Parts:
    title: str
    # For the short text, most important first; a tuple offers alternatives (the first that fits is taken).
    sentences: list[str | tuple[str, ...]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the body, before the issue line and free texts
    untranslated: list[str] = field(default_factory=list)  # Japanese names shown for unknown codes

    def term(self, lang: Lang, table: str, code: str | None, name: str = "") -> str:
        """A term in the reader's language; an unknown code's Japanese name is shown and remembered."""
        text, known = lang.term(table, code, name)
        if not known and not lang.japanese and name:
            self.untranslated.append(name)
        return text

    def kind(self, lang: Lang, kind: dict) -> str:
        """A warning kind: its name, with its level (R06) and conditions (「大雨警報（土砂災害）」)."""
        text, known = lang.term(kind.get("table", "weather"), kind.get("code"), kind.get("name", ""))
        if not known and not lang.japanese and kind.get("name"):
            self.untranslated.append(kind["name"])
        level = kind.get("level")
        if known and level and kind.get("table", "weather") in LEVEL_NAMED_TABLES:
            text = lang("level_wrap", kind=text, level=lang.level(level))
        conditions = [
            self.term(lang, "condition", c.get("code"), c.get("name", "")) for c in kind.get("conditions") or []
        ]
        if conditions:
            text = lang("condition_wrap", kind=text, conditions=lang.join(conditions))
        return text


def action_lines(lang: Lang, level: int | None) -> tuple[list[str], list]:
    """(body lines, short sentences) telling what to do at a 警戒レベル (2 to 5); nothing for other levels."""
    if level not in (2, 3, 4, 5):
        return [], []
    body = lang("action_line", level=lang.level(level), action=lang(f"action_level_{level}"))
    return [body], [lang(f"action_short_{level}")]
