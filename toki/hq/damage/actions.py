"""Every change to damage reports (DESIGN.md rules 2–3): one transaction, an AuditEvent in it.

Versions are append-only: a correction adds a version and moves the report's pointer; nothing is rewritten
except DamageCount.is_current (the denormalised "this version is current" flag the live aggregate groups on).
"""

import hashlib
import json
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from toki.accounts import audit
from toki.areas.selectors import district_for
from toki.hq.actions.chronology import record_event
from toki.hq.damage import permissions, totals
from toki.hq.damage.aggregate import to_snapshot
from toki.hq.damage.definition import DefinitionError, resolve
from toki.hq.damage.models import (
    AgencyScope,
    DamageCount,
    DamagePhoto,
    DamageReport,
    DamageReportVersion,
    FormDefinition,
    IssuedReport,
)
from toki.hq.damage.orphans import PHOTO_DIR
from toki.hq.models import Incident
from toki.posts.photos import CleanPhoto

MAX_PHOTOS = 5
TEXT_MAX = 4000
CLOCK_SKEW = timedelta(minutes=5)
NOTE_KEYS = ("place", "occurred", "overview", "response")
# The chronology says that a correction was made, never why: the reason is free text and may name people; it
# stays on the report version (shown to those who may read the report).
CORRECTION_NOTE = "（理由は報告に記録）"


# --- Form definitions ------------------------------------------------------------------------------------------

def load_definition(*, acting_user, doc, activate: bool = False) -> tuple[FormDefinition, bool]:
    """Validate a parsed definition file and store it; returns (definition, created).

    Idempotent: the same code and version with the same content is left as it is. The same code and version
    with different content is refused (a stored definition never changes; give the change a new version).
    Raises DefinitionError listing every problem; nothing is written then."""
    base_spec = None
    if isinstance(doc, dict) and isinstance(doc.get("extends"), dict):
        base = FormDefinition.objects.filter(code=doc["extends"].get("code"),
                                             version=doc["extends"].get("version")).first()
        base_spec = base.spec if base else None
    spec = resolve(doc, base_spec=base_spec)
    checksum = hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    with transaction.atomic():
        existing = FormDefinition.objects.select_for_update().filter(code=spec["code"],
                                                                    version=spec["version"]).first()
        if existing is not None and existing.checksum != checksum:
            raise DefinitionError([f"version: {spec['code']} {spec['version']} is already loaded with other content; "
                                   "a loaded definition never changes, so give this one a new version"])
        created = existing is None
        definition = existing or FormDefinition.objects.create(
            code=spec["code"], version=spec["version"], title=spec["title"]["ja"][:200], spec=spec,
            checksum=checksum)
        if created:
            audit.record(actor=acting_user, action="damage.definition_loaded", obj=definition,
                         changes={"code": definition.code, "version": definition.version,
                                  "items": len(spec["items"])})
        if activate and not definition.active:
            activate_definition(acting_user=acting_user, definition=definition)
            definition.refresh_from_db()
    return definition, created


def activate_definition(*, acting_user, definition: FormDefinition) -> None:
    """Make `definition` the one new reports are filed with and the aggregate is computed in."""
    with transaction.atomic():
        previous = FormDefinition.objects.select_for_update().filter(active=True).exclude(pk=definition.pk)
        before = [str(d) for d in previous]
        previous.update(active=False)
        FormDefinition.objects.filter(pk=definition.pk).update(active=True)
        audit.record(actor=acting_user, action="damage.definition_activated", obj=definition,
                     changes={"active": [before, str(definition)]})


def set_agency_scope(*, acting_user, org_unit, categories) -> None:
    """Replace the categories an external agency may file reports in (HQ staff only)."""
    if acting_user is not None and not permissions.is_hq_staff(acting_user):
        raise PermissionDenied
    categories = sorted(set(categories))
    with transaction.atomic():
        before = sorted(AgencyScope.objects.filter(org_unit=org_unit).values_list("category", flat=True))
        AgencyScope.objects.filter(org_unit=org_unit).delete()
        AgencyScope.objects.bulk_create(AgencyScope(org_unit=org_unit, category=c) for c in categories)
        audit.record(actor=acting_user, action="damage.agency_scope_set", obj=org_unit,
                     changes={"categories": [before, categories]})


# --- Reports ---------------------------------------------------------------------------------------------------

def _store_photos(photos) -> list[tuple[str, CleanPhoto]]:
    """Written before the report's transaction (it stays short); removed again when the report is refused, and
    by `prune_orphan_photos` when the process died before the COMMIT (toki/hq/damage/orphans.py)."""
    stored = []
    for photo in photos:
        token = secrets.token_hex(16)
        stored.append((default_storage.save(f"{PHOTO_DIR}/{token[:2]}/{token}.jpg", ContentFile(photo.content)),
                       photo))
    return stored


def _place(incident, district, latitude, longitude, errors):
    """The district of the report: given, or found from the point."""
    if (latitude is None) != (longitude is None):
        errors["location"] = _("Give both latitude and longitude, or neither.")
    elif latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        errors["location"] = _("Latitude must be between −90 and 90, longitude between −180 and 180.")
    elif district is None and latitude is not None:
        district = district_for(latitude, longitude, incident.municipality)
        if district is None:
            errors["location"] = _("The point is outside the municipality. Choose the district, or correct the point.")
    elif district is not None and latitude is not None:
        # A report's district decides who may file it and where it is counted: a point elsewhere would let a
        # branch office file (and the 第4号様式 count) damage of another district under its own.
        found = district_for(latitude, longitude, incident.municipality)
        if found is None:
            errors["location"] = _(
                "The point is outside the municipality. Correct the point, or clear latitude and longitude.")
        elif found.pk != district.pk:
            errors["location"] = _(
                "The point is in %(found)s, not in %(district)s. Correct the point or the district.") % {
                "found": found.name, "district": district.name}
    if district is None and "location" not in errors:
        errors["district"] = _("Choose the district (or click the place on the map).")
    elif district is not None and district.municipality_id != incident.municipality_id:
        errors["district"] = _("Not a district of %(municipality)s.") % {"municipality": incident.municipality.name}
    return district


def _clean(definition, category, counts, errors):
    try:
        return definition.definition.clean_counts(counts or {}, category=category)
    except DefinitionError as exc:
        errors["counts"] = exc.errors
        return {}


def _write_version(report, *, number, acting_user, org_unit, district, observed_at, now, latitude, longitude,
                   address, text, reason, counts, stored_photos) -> DamageReportVersion:
    version = DamageReportVersion.objects.create(
        report=report, number=number, district=district, observed_at=observed_at, latitude=latitude,
        longitude=longitude, address=address, text=text, reason=reason, created_by=acting_user, org_unit=org_unit,
        created_at=now)
    DamageCount.objects.bulk_create(
        DamageCount(version=version, report=report, incident_id=report.incident_id, district=district, item=item,
                    value=value, observed_at=observed_at, recorded_at=now, is_current=True)
        for item, value in counts.items())
    DamagePhoto.objects.bulk_create(
        DamagePhoto(report=report, version=version, file=name, width=photo.width, height=photo.height)
        for name, photo in stored_photos)
    return version


def _summary(definition, counts: dict, limit: int = 6) -> str:
    """「全壊 2棟、床上浸水 14世帯」: the non-zero numbers of a version, for the chronology (never the free text)."""
    spec = definition.definition
    parts = []
    for item in spec.items:
        value = counts.get(item.id)
        if value:
            number = format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))
            parts.append(f"{item.label['ja']} {number}{spec.units[item.unit]['ja']}")
    more = f" ほか{len(parts) - limit}項目" if len(parts) > limit else ""
    return "、".join(parts[:limit]) + more if parts else "数値なし"


def _chronicle(report, version, *, what: str, acting_user, org_unit, counts) -> None:
    category = report.definition.definition.categories.get(report.category, {}).get("label", {}).get(
        "ja", report.category)
    record_event(
        incident=report.incident, category="damage", at=version.created_at, acting_user=acting_user,
        sender=str(org_unit or acting_user), recipient="災害対策本部", district=version.district, source=report,
        link=reverse("damage:report", args=[report.pk]), dedup_key=f"damage-report-{report.pk}-v{version.number}",
        content=f"被害報告 #{report.pk} {what}（{category}・{version.district.name}）: "
                f"{_summary(report.definition, counts)}")


def file_report(*, acting_user, incident: Incident, category: str, counts: dict, district=None,
                latitude: float | None = None, longitude: float | None = None, address: str = "", text: str = "",
                photos=(), observed_at: datetime | None = None) -> DamageReport:
    """File a new report (version 1) in the active form definition. Recorded as damage.report_filed."""
    from toki.hq.damage.selectors import active_definition

    definition = active_definition()
    if definition is None:
        raise ValidationError({"category": "no damage form is loaded (manage.py load_damage_form)"})
    if not permissions.may_file_somewhere(acting_user):
        raise PermissionDenied("filing damage reports needs a reporter role in HQ, a branch office or an agency")
    now = timezone.now()
    errors: dict = {}
    if incident.ended_at is not None:
        errors["incident"] = _("The incident has ended; its reports can only be corrected.")
    if category not in definition.definition.categories:
        errors["category"] = f"unknown category {category!r}"
    district = _place(incident, district, latitude, longitude, errors)
    clean = _clean(definition, category, counts, errors) if "category" not in errors else {}
    address, text = (address or "").strip()[:200], (text or "").strip()[:TEXT_MAX]
    observed_at = observed_at or now
    if observed_at > now + CLOCK_SKEW:
        errors["observed_at"] = _("The time is in the future.")
    if not clean and not text and not photos and "counts" not in errors:
        errors["counts"] = [_("Give at least one number, a description or a photo.")]
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = _("At most %(count)d photos.") % {"count": MAX_PHOTOS}
    if errors:
        raise ValidationError(errors)
    grant = permissions.grant_for(acting_user, district, category)
    if grant is None:
        raise PermissionDenied("you may not file reports of this category in this district")
    stored = _store_photos(photos)
    try:
        with transaction.atomic():
            Incident.objects.select_for_update().filter(pk=incident.pk).first()  # writers of one incident queue
            report = DamageReport.objects.create(
                incident=incident, definition=definition, category=category, district=district,
                created_by=acting_user, org_unit=grant.org_unit, updated_at=now)
            version = _write_version(
                report, number=1, acting_user=acting_user, org_unit=grant.org_unit, district=district,
                observed_at=observed_at, now=now, latitude=latitude, longitude=longitude, address=address,
                text=text, reason="", counts=clean, stored_photos=stored)
            report.current_version = version
            report.save(update_fields=["current_version"])
            totals.apply_change(incident.pk, removed={}, added={(district.pk, k): v for k, v in clean.items()},
                                moment=observed_at, peak_items=definition.definition.ids_with("peak"))
            _chronicle(report, version, what="受付", acting_user=acting_user, org_unit=grant.org_unit, counts=clean)
            audit.record(actor=acting_user, action="damage.report_filed", obj=report, changes={
                "incident": incident.pk, "category": category, "district": district.code,
                "counts": {k: str(v) for k, v in clean.items()}, "photos": len(stored)})
    except BaseException:
        for name, _photo in stored:
            default_storage.delete(name)  # nothing half-written: no file without its version
        raise
    return report


_KEEP = object()


def correct_report(*, acting_user, report: DamageReport, counts: dict, reason: str, district=_KEEP,
                   latitude=_KEEP, longitude=_KEEP, address=_KEEP, text=_KEEP, photos=(),
                   observed_at: datetime | None = None) -> DamageReportVersion:
    """Add a version with the report's complete new state. Fields left out keep the current version's values;
    an item of the current version missing from `counts` becomes 0. `observed_at` None keeps the current
    version's time (a correction of a wrong figure); a later time records a change on the ground (a lifeline
    outage that grew or shrank). Recorded as damage.report_corrected."""
    reason = (reason or "").strip()[:200]
    now = timezone.now()
    with transaction.atomic():
        Incident.objects.select_for_update().filter(pk=report.incident_id).first()  # writers of one incident queue
        report = DamageReport.objects.select_for_update().select_related("incident", "definition").get(pk=report.pk)
        current = DamageReportVersion.objects.select_related("district").get(pk=report.current_version_id)
        if permissions.grant_for(acting_user, current.district, report.category) is None:
            raise PermissionDenied("you may not correct this report")
        errors: dict = {}
        keep = {"district": current.district if district is _KEEP else district,
                "latitude": current.latitude if latitude is _KEEP else latitude,
                "longitude": current.longitude if longitude is _KEEP else longitude,
                "address": current.address if address is _KEEP else (address or "").strip()[:200],
                "text": current.text if text is _KEEP else (text or "").strip()[:TEXT_MAX]}
        new_district = _place(report.incident, keep["district"], keep["latitude"], keep["longitude"], errors)
        clean = _clean(report.definition, report.category, counts, errors)
        if not reason:
            errors["reason"] = _("Say what was wrong or what changed.")
        observed_at = observed_at or current.observed_at
        if observed_at < current.observed_at:
            errors["observed_at"] = _("A version cannot be observed before the version it replaces.")
        elif observed_at > now + CLOCK_SKEW:
            errors["observed_at"] = _("The time is in the future.")
        if len(photos) > MAX_PHOTOS:
            errors["photos"] = _("At most %(count)d photos.") % {"count": MAX_PHOTOS}
        if errors:
            raise ValidationError(errors)
        grant = permissions.grant_for(acting_user, new_district, report.category)
        if grant is None:
            raise PermissionDenied("you may not move this report to that district")
        previous = dict(current.counts.values_list("item", "value"))
        for item in previous:
            clean.setdefault(item, type(previous[item])(0))
        stored = _store_photos(photos)
        try:
            with transaction.atomic():
                DamageCount.objects.filter(version=current).update(is_current=False)
                version = _write_version(
                    report, number=current.number + 1, acting_user=acting_user, org_unit=grant.org_unit,
                    district=new_district, observed_at=observed_at, now=now, latitude=keep["latitude"],
                    longitude=keep["longitude"], address=keep["address"], text=keep["text"], reason=reason,
                    counts=clean, stored_photos=stored)
                report.current_version, report.district, report.updated_at = version, new_district, now
                report.save(update_fields=["current_version", "district", "updated_at"])
                totals.apply_change(
                    report.incident_id, removed={(current.district_id, k): v for k, v in previous.items()},
                    added={(new_district.pk, k): v for k, v in clean.items()}, moment=observed_at,
                    peak_items=report.definition.definition.ids_with("peak"))
                _chronicle(report, version, what=f"訂正 第{version.number}版 {CORRECTION_NOTE}",
                           acting_user=acting_user, org_unit=grant.org_unit, counts=clean)
                audit.record(actor=acting_user, action="damage.report_corrected", obj=report, changes={
                    "version": version.number, "district": [current.district.code, new_district.code],
                    "counts": {k: [str(previous.get(k, "")), str(v)] for k, v in clean.items()
                               if previous.get(k) != v},
                    "photos": len(stored)})
        except BaseException:
            for name, _photo in stored:
                default_storage.delete(name)
            raise
    return version


def confirm_report(*, acting_user, report: DamageReport) -> DamageReport:
    """HQ marks the current version 確認済. A later correction makes the report 未確認 again."""
    if not permissions.may_confirm(acting_user):
        raise PermissionDenied("confirming reports is for HQ staff")
    with transaction.atomic():
        report = DamageReport.objects.select_for_update().get(pk=report.pk)
        if report.is_confirmed:
            return report
        report.confirmed_version_id = report.current_version_id
        report.save(update_fields=["confirmed_version"])
        audit.record(actor=acting_user, action="damage.report_confirmed", obj=report,
                     changes={"version_id": report.current_version_id})
    return report


# --- 第N報 -----------------------------------------------------------------------------------------------------

def issue_report(*, acting_user, incident: Incident, reporter_name: str = "",
                 notes: dict | None = None) -> IssuedReport:
    """Freeze the live aggregate as the next numbered report (第N報), with the report versions it was made
    from. Recorded as damage.report_issued."""
    from toki.hq.damage.selectors import active_definition, live_aggregate

    if not permissions.may_issue(acting_user):
        raise PermissionDenied("issuing reports is for HQ staff")
    definition = active_definition()
    if definition is None:
        raise ValidationError({"definition": "no damage form is loaded (manage.py load_damage_form)"})
    notes = {key: str((notes or {}).get(key, "")).strip()[:TEXT_MAX] for key in NOTE_KEYS}
    reporter_name = (reporter_name or "").strip()[:100] or str(acting_user)
    with transaction.atomic():
        Incident.objects.select_for_update().filter(pk=incident.pk).first()  # one number at a time
        now = timezone.now()
        aggregate = live_aggregate(incident, with_sources=True, definition=definition)
        number = (IssuedReport.objects.filter(incident=incident).aggregate(n=Max("number"))["n"] or 0) + 1
        issued = IssuedReport.objects.create(
            incident=incident, number=number, definition=definition, as_of=now, issued_at=now,
            issued_by=acting_user, reporter_name=reporter_name, is_drill=incident.is_drill,
            snapshot=to_snapshot(aggregate), notes=notes)
        version_ids = set(DamageReport.objects.filter(incident=incident).values_list("current_version_id", flat=True))
        for ids in aggregate.sources.values():
            version_ids.update(ids)
        version_ids.discard(None)
        through = IssuedReport.versions.through
        through.objects.bulk_create(through(issuedreport_id=issued.pk, damagereportversion_id=v)
                                    for v in sorted(version_ids))
        record_event(
            incident=incident, category="damage", at=now, acting_user=acting_user, sender=reporter_name,
            recipient=incident.municipality.prefecture, source=issued,
            link=reverse("damage:issued", args=[incident.pk, number]), dedup_key=f"damage-issued-{number}",
            content=(f"第4号様式 第{number}報 発出（{timezone.localtime(now):%H:%M}現在、"
                     f"報告{aggregate.report_count}件）"))
        audit.record(actor=acting_user, action="damage.report_issued", obj=issued, changes={
            "incident": incident.pk, "number": number, "definition": str(definition),
            "versions": len(version_ids), "drill": incident.is_drill})
    return issued
