"""Make a VAPID key pair for Web Push (docs/webpush.md): prints the settings lines to put in the environment.

    manage.py webpush_keys                  # a new pair
    manage.py webpush_keys --show-public    # the public key of the configured TOKI_WEBPUSH_VAPID_PRIVATE_KEY

The private key is printed once and stored nowhere: keep it with the other secrets. Changing it later makes every
browser subscribe again (their subscriptions are bound to the public key), so make it once per site.
"""

from django.core.management.base import BaseCommand, CommandError

from toki.notify.webpush import vapid


class Command(BaseCommand):
    help = "Make a VAPID key pair for Web Push and print the settings lines."

    def add_arguments(self, parser):
        parser.add_argument("--show-public", action="store_true",
                            help="print the public key of the configured private key instead of making a pair")

    def handle(self, *args, show_public=False, **options):
        if show_public:
            try:
                keys = vapid.from_settings()
            except vapid.NotConfigured as error:
                raise CommandError(str(error)) from None
            self.stdout.write(vapid.public_key(keys))
            return
        keys = vapid.generate()
        self.stdout.write(f"TOKI_WEBPUSH_VAPID_PRIVATE_KEY={vapid.private_key_b64(keys)}")
        self.stdout.write("# the push services' contact for this site (mailto: or https:), yours instead of this one:")
        self.stdout.write("TOKI_WEBPUSH_VAPID_SUBJECT=mailto:bousai@city.example.jp")
        self.stdout.write(f"# public key (applicationServerKey): {vapid.public_key(keys)}")
