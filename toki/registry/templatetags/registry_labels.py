"""The words staff read for the codes the register stores (purpose, recipient class, items): the access log and
the lists keep codes, so that no free text (which could carry personal data) is logged; pages show the label in
the reader's language."""

from django import template

from toki.registry.models import PERSON_FIELDS, Person, RecipientClass
from toki.registry.selectors import PURPOSE_LABELS

register = template.Library()

ITEM_LABELS = {f.name: f.verbose_name for f in Person._meta.concrete_fields if f.name in PERSON_FIELDS}


@register.filter
def purpose_label(code: str) -> str:
    return str(PURPOSE_LABELS.get(code, code))


@register.filter
def recipient_class_label(code: str) -> str:
    return str(RecipientClass(code).label) if code in RecipientClass.values else code


@register.filter
def item_labels(codes) -> str:
    """A list of register items (field names) as their labels, joined."""
    return "、".join(str(ITEM_LABELS.get(code, code)) for code in codes or ())
