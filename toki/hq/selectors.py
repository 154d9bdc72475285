"""Permission-scoped reads of incidents (DESIGN.md rule 4): "not yours" is a 404."""

from django.db.models import QuerySet
from django.http import Http404

from toki.hq.models import Incident
from toki.hq.permissions import may_read_incidents


def active_incidents(municipality, *, include_drills: bool = True) -> QuerySet[Incident]:
    """Incidents not yet ended, newest first. For system use (shelter openings, the board); not user-scoped."""
    incidents = Incident.objects.filter(municipality=municipality, ended_at__isnull=True)
    return incidents if include_drills else incidents.filter(is_drill=False)


def incidents_for(user) -> QuerySet[Incident]:
    """Every incident `user` may read: all of them for members of incident-work org units, none otherwise."""
    if not may_read_incidents(user):
        return Incident.objects.none()
    return Incident.objects.select_related("municipality").prefetch_related("districts")


def get_incident_for_user(user, pk) -> Incident:
    try:
        return incidents_for(user).get(pk=pk)
    except (Incident.DoesNotExist, ValueError, TypeError):
        raise Http404("no such incident") from None
