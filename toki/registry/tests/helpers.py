"""Test keys and CSV files for the registry tests (made-up people only)."""

import csv
import io
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet

KEY_1, KEY_2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()
INDEX_KEY = "test-index-key-0123456789abcdef-0123456789"
KEYS_V1 = {"TOKI_REGISTRY_KEYS": f"v1={KEY_1}", "TOKI_REGISTRY_INDEX_KEY": INDEX_KEY}
KEYS_V2_V1 = {"TOKI_REGISTRY_KEYS": f"v2={KEY_2},v1={KEY_1}", "TOKI_REGISTRY_INDEX_KEY": INDEX_KEY}
KEYS_V2 = {"TOKI_REGISTRY_KEYS": f"v2={KEY_2}", "TOKI_REGISTRY_INDEX_KEY": INDEX_KEY}

HEADER = ["source_id", "name", "name_kana", "birth_date", "sex", "address", "district", "phone", "support_reason",
          "care_level", "physical_grade", "intellectual_grade", "mental_grade", "intractable_disease", "in_facility",
          "lives_alone", "medical_devices", "emergency_contacts", "language"]


def person_row(source_id: str, **values) -> dict:
    row = {"source_id": source_id, "name": "佐渡 花子", "name_kana": "サド ハナコ", "birth_date": "1938-04-01",
           "sex": "2", "address": "佐渡市相川一町目1", "district": "aikawa", "phone": "0259-00-0001",
           "support_reason": "歩行困難", "care_level": "要介護3", "physical_grade": "", "intellectual_grade": "",
           "mental_grade": "", "intractable_disease": "0", "in_facility": "0", "lives_alone": "1",
           "medical_devices": "", "emergency_contacts": "佐渡 一郎|長男|090-0000-0001", "language": "ja"}
    row.update(values)
    return row


def csv_bytes(rows: list[dict], header: list[str] | None = None, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header or HEADER, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def write_csv(data: bytes, name: str = "welfare.csv") -> Path:
    directory = Path(tempfile.mkdtemp(prefix="toki-registry-"))
    path = directory / name
    path.write_bytes(data)
    return path


class RegistryLoginMixin:
    """Log a persona in as a registry user would be after giving the second factor (a confirmed TOTP device and
    the registry's session entry); others are simply logged in. toki/registry/tests/test_second_factor.py tests
    the factor itself."""

    def login(self, user):
        from django.utils import timezone
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from toki.registry.permissions import may_use_registry
        from toki.registry.second_factor import SESSION_KEY

        super().login(user)  # type: ignore[misc]
        user.__dict__.pop("_toki_registry_grants", None)
        if may_use_registry(user):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
                user=user, name="test", confirmed=True)
            session = self.client.session  # type: ignore[attr-defined]
            session[SESSION_KEY] = {"device": device.pk, "at": timezone.now().isoformat()}
            session.save()
        user.__dict__.pop("_toki_registry_grants", None)


def import_with_minsei_consent(officer, rows: list[dict], consented: tuple[str, ...]) -> None:
    """Import `rows` as `officer`, register 佐渡市社会福祉協議会 as a cleared 民生委員 recipient (dave is its member),
    and record the 民生委員 class's consent of the people named in `consented`. Call under the registry keys."""
    from datetime import date
    from io import StringIO

    from django.core.management import call_command

    from toki.accounts.models import OrgUnit
    from toki.registry import actions
    from toki.registry.models import Consent, Person, RecipientClass, Scope

    call_command("registry_import", str(write_csv(csv_bytes(rows))), "--by", officer.username, stdout=StringIO())
    actions.register_recipient(actor=officer, org_unit=OrgUnit.objects.get(name="佐渡市社会福祉協議会"),
                               recipient_class=RecipientClass.MINSEI, agreement_on=date(2026, 4, 1),
                               pledge_on=date(2026, 4, 1), training_on=date(2026, 5, 1))
    for person in Person.objects.all():
        if person.name in consented:
            actions.record_consent(actor=officer, person=person, recipient_class=RecipientClass.MINSEI,
                                   scope=Scope.ROSTER, state=Consent.State.CONSENTED, text_version="2026-1",
                                   method=Consent.Method.VISIT)
