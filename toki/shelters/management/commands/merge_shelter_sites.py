"""Merge shelter rows that are one physical site (what migration 0005 did, for a site it had to leave)."""

from django.core.management.base import BaseCommand

from toki.shelters.merging import merge_all_sites


class Command(BaseCommand):
    help = "Merge shelter rows that are one physical site (docs/shelter-import.md, 'One place per site')."

    def handle(self, *args, **options):
        lines = merge_all_sites()
        for line in lines or ["shelter sites: nothing to merge"]:
            self.stdout.write(line)
