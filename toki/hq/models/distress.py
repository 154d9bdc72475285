"""Messages from residents that may be calls for help (救助要請の可能性), put in front of HQ on the live board.

Received through a chat channel (LINE) while disaster mode is on or an evacuation order is in force. Only what HQ
needs is kept, and only for DISTRESS_RETENTION (docs/privacy.md): the text as written, when, the channel, and a
keyed hash of the sender (the same person's messages can be grouped; the LINE user id itself is not stored)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from toki.areas.models import Municipality

DISTRESS_RETENTION = timedelta(days=30)  # purged hourly by `purge_distress_messages`
DISTRESS_TEXT_MAX = 1000


class DistressMessage(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="distress_messages")
    received_at = models.DateTimeField(_("received at"), db_index=True)
    channel = models.CharField(_("channel"), max_length=20)
    text = models.TextField(_("message"))
    sender_ref = models.CharField(_("sender (pseudonymous)"), max_length=64)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("possible call for help")

    def __str__(self):
        return f"{self.channel} {self.received_at:%Y-%m-%d %H:%M}"
