"""Re-encrypt the register under the primary key of TOKI_REGISTRY_KEYS (resumable: batch by batch).

    manage.py registry_rotate_keys --by USERNAME [--reindex] [--batch-size 500]

A value under a key that is no longer in the ring stops the run with an error naming the key id.
"""

from django.core.management.base import BaseCommand, CommandError

from toki.accounts.models import User
from toki.registry.actions import rotate_keys
from toki.registry.crypto_errors import RegistryKeyError
from toki.registry.permissions import may_keep_register


class Command(BaseCommand):
    help = "Re-encrypt every registry value not yet under the primary key."

    def add_arguments(self, parser):
        parser.add_argument("--by", required=True, help="the registry officer responsible (username)")
        parser.add_argument("--reindex", action="store_true", help="recompute blind indexes (new index key)")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, by, reindex, batch_size, **options):
        actor = User.objects.filter(username=by, is_active=True).first()
        if actor is None or not may_keep_register(actor):
            raise CommandError(f"{by!r} is not an active registry officer")
        try:
            counts = rotate_keys(actor=actor, batch_size=batch_size, reindex=reindex)
        except RegistryKeyError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"re-encrypted {counts['values']} value(s) in {counts['rows']} row(s)")
