"""Recompute the registry access log's hash chain (toki.registry.accesslog) and say whether it holds.

    manage.py registry_verify_access_log

The chain starts from the latest signed checkpoint when older rows were pruned. When an off-box copy of the head
is configured (TOKI_REGISTRY_LOG_HEAD_SINK), the row it names must still carry the hash it recorded: a table
rewritten as a whole is found too. Exit status 0 when everything holds; otherwise prints the id of the first row
that does not, and why (ids only), and fails. Run it from cron and after any restore.
"""

from django.core.management.base import BaseCommand, CommandError

from toki.registry.accesslog import verify
from toki.registry.accesslog_retention import RetentionError, compare_with_offbox, read_offbox_head


class Command(BaseCommand):
    help = "Verify the hash chain of the registry access log (and against its off-box head)."

    def handle(self, *args, **options):
        result = verify()
        if not result.ok:
            raise CommandError(f"access log chain broken at row {result.broken_at}: {result.reason} "
                               f"({result.checked} rows verified before it)")
        try:
            offbox = read_offbox_head()
        except RetentionError as refused:
            raise CommandError(f"off-box head: {refused}") from None
        if offbox is not None:
            mismatch = compare_with_offbox(offbox)
            if mismatch:
                raise CommandError(f"access log differs from its off-box head: {mismatch}")
        start = (f", from the checkpoint after row {result.checkpoint.last_id}" if result.checkpoint else "")
        self.stdout.write(f"access log chain holds: {result.checked} rows verified{start}"
                          + (f", {result.unchained} older rows from before the chain" if result.unchained else "")
                          + (f"; matches the off-box head of {offbox['at']}" if offbox else ""))
