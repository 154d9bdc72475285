"""Compile the dispatcher's kernel into numba's cache (NUMBA_CACHE_DIR, under the var directory), so that the first
booking after a deploy does not wait ~10 s for it. Run at deploy, after migrate (docs/operations.md); `make setup`
runs it. Idempotent: with a cache in place it only loads it (~0.5 s)."""

from django.core.management.base import BaseCommand

from toki.transport.darp.warm import warm_up


class Command(BaseCommand):
    help = "Compile (or load) the shared-ride dispatcher's compiled kernel, filling its cache."

    def handle(self, *args, **options):
        seconds = warm_up()
        if options["verbosity"]:
            self.stdout.write(f"rides_prepare_solver: dispatcher ready in {seconds:.1f} s")
