"""The words readers see for the codes the register stores in its values (importing.py writes codes, so the
stored data does not depend on the language of the page that imported it): sex (JIS X 0303), household, the
kinds of disability certificate and why a person is on the register."""

from django.utils.translation import gettext_lazy as _

VALUE_LABELS = {
    "sex": {"unknown": _("Unknown"), "male": _("Male"), "female": _("Female"),
            "not_applicable": _("Not applicable")},
    "lives_with": {"alone": _("Lives alone"), "others": _("Lives with others")},
    "inclusion_reasons": {"care_level": _("Care level"), "physical_disability": _("Physical disability"),
                          "intellectual_disability": _("Intellectual disability"),
                          "mental_disability": _("Mental disability"), "intractable_disease": _("Intractable disease")},
    "disabilities": {"physical": _("Physical disability certificate"),
                     "intellectual": _("Intellectual disability certificate (療育手帳)"),
                     "mental": _("Mental disability certificate")},
}


def value_label(field: str, value):
    """A stored value as readers see it: codes as their label, lists item by item (a disability's kind)."""
    words = VALUE_LABELS.get(field)
    if not words:
        return value
    if isinstance(value, list):
        return [{**item, "kind": str(words.get(str(item.get("kind", "")), item.get("kind", "")))}
                if isinstance(item, dict) else str(words.get(item, item)) for item in value]
    return str(words.get(value, value)) if isinstance(value, str) else value
