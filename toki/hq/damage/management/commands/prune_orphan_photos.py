"""Delete damage-report photo files that no report version holds (a process died between writing them and the
report's COMMIT; toki/hq/damage/orphans.py). Idempotent; every hour from run_scheduler."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from toki.hq.damage.orphans import MIN_AGE, prune_orphan_photos


class Command(BaseCommand):
    help = "Delete damage-report photo files older than --min-age-minutes that no report version holds."

    def add_arguments(self, parser):
        parser.add_argument("--min-age-minutes", type=float, default=MIN_AGE.total_seconds() / 60,
                            help="leave younger files alone (their report may still be committing)")

    def handle(self, *args, min_age_minutes, **options):
        found = prune_orphan_photos(min_age=timedelta(minutes=min_age_minutes))
        if found["deleted"] or options["verbosity"] > 1:
            self.stdout.write(f"prune_orphan_photos: deleted {found['deleted']}, kept {found['kept']}, "
                              f"too young {found['young']}")
