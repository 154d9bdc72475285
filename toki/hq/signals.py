"""Listeners that feed the chronology from other apps without changing them (connected in HqConfig.ready)."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from toki.alerts.models import Alert
from toki.shelters.signals import shelter_opening_changed


@receiver(post_save, sender=Alert, dispatch_uid="hq_chronicle_alert")
def chronicle_new_alert(sender, instance, created, raw=False, **kwargs):
    """A new alert (JMA, CAP or a city evacuation order) goes into the chronology once its transaction commits;
    a failure there is logged and never undoes or breaks the alert itself (robust on_commit)."""
    if not created or raw:
        return
    from toki.hq.actions.feeds import chronicle_alert

    alert_id = instance.pk
    transaction.on_commit(lambda: chronicle_alert(alert_id), robust=True)


@receiver(shelter_opening_changed, dispatch_uid="hq_chronicle_shelter_opening")
def chronicle_shelter_opening_change(sender, opening_id, change, **kwargs):
    """A shelter opening changed (sent after its commit): the chronology entry is written by a task, so this
    receiver stays quick and cannot fail the shelter's own request."""
    from toki.hq.tasks import chronicle_shelter_opening_task
    from toki.lib.tasks import enqueue_on_commit

    enqueue_on_commit(chronicle_shelter_opening_task, opening_id, change)
