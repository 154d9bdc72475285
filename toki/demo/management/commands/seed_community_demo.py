"""The household-tablet demo (docs/community.md): two 自治会 in Sado with leaders kenji and michiko, ten
households, an issue of 広報さど, a circular for each 自治会 and an event notice. Idempotent."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from toki.accounts.models import User
from toki.areas.selectors import default_municipality_or_404
from toki.community import actions
from toki.community.models import Item
from toki.community.world import create_community_world

NEWSLETTER = ("広報さど 12月号", "年末年始のごみ収集\n12月31日から1月3日まで、ごみの収集はお休みです。\n\n"
              "冬の火の用心\nストーブの近くに燃えやすい物を置かないでください。")
CIRCULAR = ("冬の除雪当番のお知らせ", "今年の除雪当番表です。\n大雪の朝は、できる方だけで無理をしないでください。")
EVENT = ("防災訓練（避難所まで歩く）", "公民館に集まって、避難所まで一緒に歩きます。\n雨天中止です。")


class Command(BaseCommand):
    help = "Load the household-tablet demo. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--password", required=True, help="the demo leaders' password (seed_demo passes its own)")

    def handle(self, *args, password, **options):
        municipality = default_municipality_or_404()
        world = create_community_world(municipality, password)
        staff = User.objects.filter(username="alice").first()
        if staff is not None and not Item.objects.filter(municipality=municipality, title=NEWSLETTER[0]).exists():
            actions.publish_item(acting_user=staff, municipality=municipality, kind="newsletter",
                                 title=NEWSLETTER[0], body=NEWSLETTER[1])
        for (username, leader), jichikai in zip(world["leaders"].items(), world["jichikai"], strict=True):
            if not Item.objects.filter(jichikai=jichikai, title=CIRCULAR[0]).exists():
                actions.publish_item(acting_user=leader, municipality=municipality, kind="circular",
                                     title=CIRCULAR[0], body=CIRCULAR[1], jichikai=jichikai)
            if not Item.objects.filter(jichikai=jichikai, title=EVENT[0]).exists():
                actions.publish_item(acting_user=leader, municipality=municipality, kind="event", title=EVENT[0],
                                     body=EVENT[1], jichikai=jichikai,
                                     event_at=timezone.now() + timedelta(days=10))
            self.stdout.write(f"自治会 {jichikai.name}: leader {username}")
        self.stdout.write(self.style.SUCCESS(f"{len(world['households'])} households on tablets"))
