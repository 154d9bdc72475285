"""The rides tests' world: the personas plus the Sado demo service, and a service day in the future."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from toki.accounts.models import User
from toki.test import BaseTestCase
from toki.transport.rides.demo import seed_rides_demo
from toki.transport.rides.models import MeetingPoint, ServiceArea


def service_day(after: date | None = None) -> date:
    """The first day after `after` (default today) on which the demo runs (Monday to Saturday)."""
    day = (after or timezone.localdate()) + timedelta(days=1)
    while day.isoweekday() == 7:
        day += timedelta(days=1)
    return day


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


class RidesTestCase(BaseTestCase):
    alice: User
    bob: User
    eve: User
    ryotsu: ServiceArea
    aikawa: ServiceArea
    day: date

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ryotsu, cls.aikawa = seed_rides_demo(cls.municipality)
        cls.day = service_day()

    def point(self, code: str, area: ServiceArea | None = None) -> MeetingPoint:
        return MeetingPoint.objects.get(area=area or self.ryotsu, code=code)

    def web_form(self, origin="ryotsu-office", destination="ryotsu-hospital", hh=10, mm=0, mode="pickup",
                 passengers=1, wheelchair=False, name="佐渡 花子", phone="0259-27-1234", day=None) -> dict:
        data = {"origin": self.point(origin).pk, "destination": self.point(destination).pk,
                "date": (day or self.day).isoformat(), "time": f"{hh:02d}:{mm:02d}", "mode": mode,
                "passengers": passengers, "name": name, "phone": phone}
        if wheelchair:
            data["wheelchair"] = "on"
        return data
