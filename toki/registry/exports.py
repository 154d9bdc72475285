"""Prints and CSVs of a district's list (registry.md §5.4): numbered, for the one person who made them, expiring
after TOKI_REGISTRY_EXPORT_HOURS; every download counted and every person in it logged (action print or export).
Each page carries who it was made for, when, its number and the download count (a watermark repeated on every
printed page; in a CSV, a column on every row)."""

import csv
import io
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from toki.accounts import audit
from toki.registry import conf, selectors
from toki.registry.models import AccessLog, Export, Person


def create_export(*, actor, district, kind: str, purpose: str) -> Export:
    if kind not in Export.Kind.values:
        raise ValueError(f"kind: one of {', '.join(Export.Kind.values)}")
    if purpose not in selectors.PURPOSES:
        raise ValueError(f"purpose: one of {', '.join(selectors.PURPOSES)}")
    if district.pk not in {d.pk for d in selectors.districts_for(actor, district.municipality)}:
        raise PermissionDenied("not a district you may open")
    now = timezone.now()
    with transaction.atomic():
        export = Export.objects.create(actor=actor, kind=kind, district=district, purpose=purpose, created_at=now,
                                       expires_at=now + timedelta(hours=conf.export_hours()))
        audit.record(actor=actor, action="registry.export_created", obj=export,
                     changes={"kind": kind, "district": district.pk})
    return export


def export_for(user, pk: int) -> Export | None:
    """Only its maker downloads an export."""
    if not user.is_authenticated:
        return None
    return Export.objects.select_related("district", "actor").filter(pk=pk, actor=user).first()


def download(user, export: Export) -> tuple[Export, list]:
    """Count the download and read the people (each logged as printed or exported). Raises ValueError once the
    export has expired."""
    if timezone.now() >= export.expires_at:
        raise ValueError("expired")
    with transaction.atomic():
        Export.objects.filter(pk=export.pk).update(downloads=F("downloads") + 1)
        export.refresh_from_db(fields=["downloads"])
        candidates = list(Person.objects.filter(district=export.district, status=Person.Status.ACTIVE)
                          .values_list("id", "district_id"))
        action = AccessLog.Action.PRINT if export.kind == Export.Kind.PRINT else AccessLog.Action.EXPORT
        people = selectors._read(user, candidates, action=action, purpose=export.purpose)
        Export.objects.filter(pk=export.pk).update(people=len(people))
        audit.record(actor=user, action="registry.export_downloaded", obj=export,
                     changes={"download": export.downloads, "people": len(people)})
    return export, people


def watermark(export: Export) -> str:
    made = timezone.localtime(export.created_at).strftime("%Y-%m-%d %H:%M")
    until = timezone.localtime(export.expires_at).strftime("%Y-%m-%d %H:%M")
    who = getattr(export.actor, "display_name", "") or export.actor.get_username()
    return f"{who} No.{export.pk} {made} (#{export.downloads}, ~{until})"


def _cell(value: str) -> str:
    """No cell may start a formula when the file is opened in a spreadsheet (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def as_csv(export: Export, labels: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    mark = watermark(export)
    writer.writerow([*labels, "watermark"])
    for row in rows:
        writer.writerow([*(_cell(cell) for cell in row), mark])
    return out.getvalue().encode("utf-8-sig")
