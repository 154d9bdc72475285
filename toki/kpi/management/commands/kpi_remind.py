"""manage.py kpi_remind: e-mail the owners of manual KPIs whose update is overdue (daily; docs/kpi.md)."""

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand

from toki.kpi.actions import remind_owners
from toki.kpi.models import Plan


def _send(kpi, addresses):
    if not addresses or not settings.EMAIL_HOST:
        return
    link = f"{settings.SITE_URL.rstrip('/')}/kpi/{kpi.code}/"
    send_mail(f"【KPI】{kpi.name} の更新をお願いします",
              f"「{kpi.name}」の結果の更新時期を過ぎています。\n次のページから2分ほどで入力できます。\n{link}\n",
              settings.DEFAULT_FROM_EMAIL, addresses)


class Command(BaseCommand):
    help = "Remind owners of overdue plan KPIs"

    def handle(self, *args, **options):
        for plan in Plan.objects.all():
            codes = remind_owners(plan, send=_send)
            self.stdout.write(f"{plan.code}: reminded {len(codes)} KPI owner(s)")
