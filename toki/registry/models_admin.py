"""The registry's administrative records: checkpoints of the access log's hash chain (written before old rows are
pruned, so the rest still verifies) and the hashed one-time recovery codes of the second factor."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLogCheckpoint(models.Model):
    """Where the pruned part of the access log ended: the last pruned row's id and hash, how many rows and which
    time range went, signed (HMAC under the index key). Append-only in the database; the access log's delete
    guard lets a row go only when a checkpoint covers it (migration 0009)."""

    created_at = models.DateTimeField(_("written at"))
    last_id = models.BigIntegerField(_("last pruned row"))
    last_hash = models.CharField(_("hash of the last pruned row"), max_length=64, blank=True)
    pruned = models.BigIntegerField(_("rows pruned"))
    first_at = models.DateTimeField(_("oldest pruned look"), null=True, blank=True)
    last_at = models.DateTimeField(_("newest pruned look"), null=True, blank=True)
    signature = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("access-log checkpoint")
        verbose_name_plural = _("access-log checkpoints")
        ordering = ["-last_id"]

    def __str__(self):
        return f"access-log checkpoint through row {self.last_id}"


class RecoveryCode(models.Model):
    """One single-use recovery code of a user's second factor, kept only as a keyed hash (shown once)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "code_hash"], name="registry_recovery_lookup")]

    def __str__(self):
        return f"recovery code {self.pk} of user {self.user_id}"
