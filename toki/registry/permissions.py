"""Who may see what in the registry (DESIGN.md: every permission rule of the app here).

- Registry officers: HQ administrators (and superusers). They keep the register (import, consent records) and
  read every field of every person, as internal use (第49条の11第1項).
- Recipient members: a member (viewer or above) of an org unit registered as a Recipient that has signed the
  agreement and the pledge and done the training. They see people of their membership's district (or the org
  unit's district; neither: the whole municipality) whose consent — under the municipality's mode — allows
  sharing with their class, and only the fields of their class (FIELDS_BY_CLASS).
- Everyone else: nothing.
"""

from dataclasses import dataclass

from toki.accounts.models import OrgUnit, Role
from toki.accounts.selectors import has_role, memberships_of
from toki.registry.models import PERSON_FIELDS, Recipient, RecipientClass

STATUTORY = ("name", "name_kana", "birth_date", "sex", "address", "phone", "support_reason")
# registry.md §5.4: a 自主防災組織 sees name, address, phone, reason; not the 病歴 details.
FIELDS_BY_CLASS = {
    RecipientClass.MINSEI: PERSON_FIELDS,
    RecipientClass.SHAKYO: PERSON_FIELDS,
    RecipientClass.CARE: PERSON_FIELDS,
    RecipientClass.COMMUNITY: (*STATUTORY, "lives_with", "emergency_contacts"),
    RecipientClass.FIRE_CORPS: (*STATUTORY, "medical_devices", "lives_with"),
    RecipientClass.FIRE: (*STATUTORY, "medical_devices", "lives_with", "emergency_contacts"),
    RecipientClass.POLICE: (*STATUTORY, "lives_with", "emergency_contacts"),
}


@dataclass(frozen=True)
class Grant:
    """One way a user reaches the register: a recipient class (None for an officer) and a district (None: all)."""

    recipient_class: str | None
    district_id: int | None
    fields: tuple[str, ...]


def is_registry_officer(user) -> bool:
    return has_role(user, Role.ADMIN, kinds=(OrgUnit.Kind.HQ,))


def grants_of(user) -> list[Grant]:
    """Every grant `user` holds, read once per request (kept on the user object like the memberships)."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_toki_registry_grants", None)
    if cached is not None:
        return cached
    grants = [Grant(None, None, PERSON_FIELDS)] if is_registry_officer(user) else []
    memberships = [m for m in memberships_of(user) if m.allows(Role.VIEWER)]
    recipients = {r.org_unit_id: r for r in Recipient.objects.filter(
        org_unit_id__in=[m.org_unit_id for m in memberships])}
    for membership in memberships:
        recipient = recipients.get(membership.org_unit_id)
        if recipient is None or not recipient.is_cleared:
            continue
        district_id = membership.district_id or membership.org_unit.district_id
        grants.append(Grant(recipient.recipient_class, district_id,
                            tuple(FIELDS_BY_CLASS[RecipientClass(recipient.recipient_class)])))
    user._toki_registry_grants = grants
    return grants


def may_use_registry(user) -> bool:
    return bool(grants_of(user))


def may_keep_register(user) -> bool:
    """Import, record consent, rotate keys: registry officers only."""
    return is_registry_officer(user)


# Who writes 個別避難計画 besides the city (registry-practice.md A.4): the 民生委員, the local group, 社協 and care
# professionals (the 別府モデル) — for people whose plan they may see in normal times (selectors_plans).
PLAN_WRITER_CLASSES = (RecipientClass.MINSEI, RecipientClass.COMMUNITY, RecipientClass.SHAKYO, RecipientClass.CARE)


def may_write_plans(grant: Grant) -> bool:
    return grant.recipient_class is None or grant.recipient_class in PLAN_WRITER_CLASSES


def may_declare_activation(user) -> bool:
    """Declare, extend, end and review a disaster activation (第49条の11第3項): HQ administrators."""
    return is_registry_officer(user)


def may_reset_second_factor(user) -> bool:
    """Reset another user's lost authenticator (with their own second factor given again): registry officers."""
    return is_registry_officer(user)
