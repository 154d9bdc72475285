"""The HQ module's KPIs for one incident (issue 6 item 8), mirroring toki/portal/kpi.py: plain functions that
compute from the stored rows, a JSON view in toki/hq/views/kpi.py.

- 利用率 (usage rate): accounts that used Toki during the incident / all active accounts. "Used" = at least one
  AuditEvent with that account as actor between the incident's start and its end (or now). Logging in alone
  writes no AuditEvent, so reading without acting does not count: the figure is of accounts that *did* something.
- 報告までの時間: for each issued 第N報, the time from the last damage report version it contains (the last report
  of its period) to its issue.
- 指示: median and 90th percentile of time-to-acknowledge (受領) and time-to-done (完了), over the instructions that
  reached that step; cancelled ones are left out of time-to-done.
"""

from statistics import median

from django.utils import timezone

from toki.accounts.models import AuditEvent, User
from toki.hq.damage_source import damage
from toki.hq.models import Incident, Instruction


def _percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of `values`; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil(n·p/100), at least 1
    return ordered[int(rank) - 1]


def _stats(seconds: list[float]) -> dict:
    return {"count": len(seconds), "median_seconds": median(seconds) if seconds else None,
            "p90_seconds": _percentile(seconds, 90)}


def usage_rate(incident: Incident) -> dict:
    """Accounts with an AuditEvent in the incident's window, over all active accounts. Two queries."""
    end = incident.ended_at or timezone.now()
    used = (AuditEvent.objects.filter(at__gte=incident.started_at, at__lte=end, actor__isnull=False)
            .values("actor_id").distinct().count())
    total = User.objects.filter(is_active=True).count()
    return {"used_accounts": used, "all_accounts": total, "rate": round(used / total, 4) if total else None,
            "window_start": incident.started_at, "window_end": end}


def report_latency(incident: Incident) -> dict:
    """Per issued 第N報: seconds from the last report version it contains to its issue. One query."""
    issued = damage().issued_reports(incident)
    rows = [{"number": row["number"], "issued_at": row["issued_at"], "last_report_at": row["last_report"],
             "seconds": (row["issued_at"] - row["last_report"]).total_seconds() if row["last_report"] else None}
            for row in issued]
    return {"reports": rows, **_stats([r["seconds"] for r in rows if r["seconds"] is not None])}


def instruction_times(incident: Incident) -> dict:
    """Median and p90 of time-to-acknowledge and time-to-done, in seconds. One query."""
    rows = list(Instruction.objects.filter(incident=incident).values_list("issued_at", "acknowledged_at",
                                                                          "done_at", "status"))
    acknowledge = [(ack - issued).total_seconds() for issued, ack, _done, _status in rows if ack]
    done = [(done - issued).total_seconds() for issued, _ack, done, status in rows
            if done and status == Instruction.Status.DONE]
    total = len(rows)
    return {"instructions": total, "time_to_acknowledge": _stats(acknowledge), "time_to_done": _stats(done),
            "unacknowledged": sum(1 for _i, ack, _d, status in rows
                                  if ack is None and status != Instruction.Status.CANCELLED)}


def incident_kpi(incident: Incident) -> dict:
    return {"incident": incident.pk, "is_drill": incident.is_drill, "usage": usage_rate(incident),
            "report_latency": report_latency(incident), "instructions": instruction_times(incident)}
