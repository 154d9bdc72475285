"""The HQ module's figures for the plan's KPIs (toki.lib.metrics; docs/kpi.md), over the real (not drill)
incidents that started in the period, by the same rules as the per-incident KPI (toki/hq/kpi.py):
対策本部での利用率, アカウント利用率, and the minutes damage reports and instructions take (the KPI module turns
minutes into minutes saved against the baseline the city recorded). Set-based: a handful of queries per period
whatever the number of incidents."""

from decimal import Decimal
from statistics import median

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toki.accounts.models import AuditEvent, User
from toki.hq import kpi
from toki.hq.models import ChronologyEntry, Incident, Instruction
from toki.lib.date_range import local_bounds
from toki.lib.metrics import Measurement, Metric, Period, Unavailable, ratio_percent

NO_INCIDENT = "no disaster (real incident) started in this period"


def _incidents(municipality, period: Period):
    since, until = local_bounds(period.start, period.end)
    return Incident.objects.filter(municipality=municipality, is_drill=False, started_at__gte=since,
                                   started_at__lt=until)


def incident_use_rate(municipality, period: Period) -> Measurement | Unavailable:
    """HQ used Toki for an incident: someone wrote to its chronology, gave an instruction or issued a 第N報."""
    rows = list(_incidents(municipality, period).annotate(
        wrote=Exists(ChronologyEntry.objects.filter(incident=OuterRef("pk"), is_automatic=False)),
        instructed=Exists(Instruction.objects.filter(incident=OuterRef("pk")))).values_list("pk", "wrote",
                                                                                           "instructed"))
    if not rows:
        return Unavailable(NO_INCIDENT)
    incidents = {incident.pk: incident for incident in _incidents(municipality, period)}
    used = sum(1 for pk, wrote, instructed in rows
               if wrote or instructed or kpi.report_latency(incidents[pk])["reports"])
    return Measurement(ratio_percent(used, len(rows)), numerator=Decimal(used), denominator=Decimal(len(rows)))


def account_use_rate(municipality, period: Period) -> Measurement | Unavailable:
    """Accounts with an audited action inside each real incident's window, over the active accounts, summed over
    the incidents (toki/hq/kpi.usage_rate's rule; one count per incident, the accounts counted once)."""
    windows = list(_incidents(municipality, period).values_list("started_at", "ended_at"))
    total = User.objects.filter(is_active=True).count()
    if not windows or not total:
        return Unavailable(NO_INCIDENT)
    now = timezone.now()
    used = sum(AuditEvent.objects.filter(at__gte=start, at__lte=end or now, actor__isnull=False)
               .values("actor_id").distinct().count() for start, end in windows)
    return Measurement(ratio_percent(used, total * len(windows)), numerator=Decimal(used),
                       denominator=Decimal(total * len(windows)), note=f"{len(windows)} incident(s)")


def _median_minutes(seconds: list[float]) -> Decimal:
    return (Decimal(median(seconds)) / 60).quantize(Decimal("0.1"))


def damage_report_minutes(municipality, period: Period) -> Measurement | Unavailable:
    seconds = [row["seconds"] for incident in _incidents(municipality, period)
               for row in kpi.report_latency(incident)["reports"] if row["seconds"] is not None]
    if not seconds:
        return Unavailable("no 第N報 was issued for a real incident in this period")
    return Measurement(_median_minutes(seconds), denominator=Decimal(len(seconds)),
                       note=f"median over {len(seconds)} issued reports")


def instruction_minutes(municipality, period: Period) -> Measurement | Unavailable:
    seconds = [(acknowledged - issued).total_seconds() for issued, acknowledged in Instruction.objects.filter(
        incident__in=_incidents(municipality, period), acknowledged_at__isnull=False).values_list(
        "issued_at", "acknowledged_at") if acknowledged is not None]
    if not seconds:
        return Unavailable("no instruction of a real incident was acknowledged in this period")
    return Measurement(_median_minutes(seconds), denominator=Decimal(len(seconds)),
                       note=f"median over {len(seconds)} instructions")
METRICS = [
    Metric(key="hq.incident_use_rate", title=_("Incidents handled in Toki"), unit="%",
           numerator=_("Real incidents for which HQ wrote to the chronology, issued an instruction or a 第N報"),
           denominator=_("Real incidents that started in the period (drills excluded)"),
           source=_("HQ records (docs/hq.md)"), measure=incident_use_rate),
    Metric(key="hq.account_use_rate", title=_("Accounts used in incidents"), unit="%",
           numerator=_("Accounts that did something recorded in the audit log during each real incident"),
           denominator=_("Active accounts, once per real incident"), source=_("The audit log (docs/security.md)"),
           measure=account_use_rate),
    Metric(key="hq.damage_report_minutes", title=_("Minutes to compile a damage report"), unit="分",
           numerator=_("Median minutes from the last damage report a 第N報 contains to its issue"),
           denominator=_("Issued 第N報 of real incidents"), source=_("Damage reports (docs/damage-reports.md)"),
           measure=damage_report_minutes),
    Metric(key="hq.instruction_minutes", title=_("Minutes until an instruction is acknowledged"), unit="分",
           numerator=_("Median minutes from an instruction's issue to its acknowledgement"),
           denominator=_("Acknowledged instructions of real incidents"), source=_("HQ instructions (docs/hq.md)"),
           measure=instruction_minutes),
]
