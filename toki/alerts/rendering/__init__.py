"""Multilingual rendering of alerts: facts (language-neutral, stored in Alert.facts) → text in every language.

    facts = facts_from_telegram(telegram, profile_codes)        # or facts_for_evacuation(...)
    rendered = render(facts, "en", msg_type="alert", is_drill=False)
    rendered.title, rendered.short, rendered.body, rendered.untranslated

Languages: ja, ja-easy (やさしい日本語), en, zh-hans, ko. Words come only from the phrase and term tables of this
package, keyed by codes; free texts are shown as they are, labelled. See docs/alert-rendering.md.
"""

from toki.alerts.rendering.facts import FACTS_VERSION, category_of, facts_for_evacuation, facts_from_telegram
from toki.alerts.rendering.lang import LANGUAGES
from toki.alerts.rendering.render import BODY_LIMIT, SHORT_LIMIT, FreeText, RenderedAlert, render, text_length

__all__ = [
    "BODY_LIMIT",
    "FACTS_VERSION",
    "LANGUAGES",
    "SHORT_LIMIT",
    "FreeText",
    "RenderedAlert",
    "category_of",
    "facts_for_evacuation",
    "facts_from_telegram",
    "render",
    "text_length",
]
