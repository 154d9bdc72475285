from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from toki.community.actions import sweep_watch_over
from toki.community.metrics import active_households
from toki.community.models import ActiveDay, HelpNote, Household, WatchFlag
from toki.community.tests.support import CommunityTestCase
from toki.lib.metrics import Period


class WatchOverTests(CommunityTestCase):
    def quiet_for(self, household, hours):
        Household.objects.filter(pk=household.pk).update(
            created_at=timezone.now() - timedelta(hours=hours), last_used_at=None)

    def test_it_raises_a_message_after_the_watch_time(self):
        self.quiet_for(self.hana, 25)
        self.assertEqual(sweep_watch_over()["raised"], 1)
        self.assertEqual(WatchFlag.objects.get(household=self.hana).stage, "message")

    def test_it_is_idempotent(self):
        self.quiet_for(self.hana, 25)
        call_command("watch_over", stdout=StringIO())
        call_command("watch_over", stdout=StringIO())
        self.assertEqual(WatchFlag.objects.filter(household=self.hana).count(), 1)

    def test_it_leaves_households_without_watch_over_alone(self):
        self.quiet_for(self.households[1], 100)
        sweep_watch_over()
        self.assertFalse(WatchFlag.objects.filter(household=self.households[1]).exists())

    def test_it_puts_the_household_on_the_call_list_after_the_same_time_again(self):
        self.quiet_for(self.hana, 25)
        sweep_watch_over()
        self.assertEqual(sweep_watch_over(now=timezone.now() + timedelta(hours=25))["escalated"], 1)
        welfare = Client()
        welfare.force_login(self.alice)
        page = welfare.get("/community/watch/")
        calls = [f.household for f in page.context["flags"] if f.stage == WatchFlag.Stage.CALL]
        self.assertEqual(calls, [self.hana])  # the others only got their message on the tablet (stage "message")

    def test_it_resolves_the_flag_with_the_morning_tap(self):
        tablet = self.tablet(self.hana)
        self.quiet_for(self.hana, 25)
        sweep_watch_over()
        self.assertContains(tablet.get("/tablet/"), 'action="/tablet/well/"')
        tablet.post("/tablet/well/")
        flag = WatchFlag.objects.get(household=self.hana)
        self.assertIsNotNone(flag.resolved_at)
        self.assertNotContains(tablet.get("/tablet/"), 'action="/tablet/well/"')

    def test_it_shows_the_call_list_of_dave_s_district_only(self):
        self.quiet_for(self.hana, 25)  # 両津
        self.quiet_for(self.nakagawa, 25)  # 相川, dave's district
        sweep_watch_over()
        dave = Client()
        dave.force_login(self.dave)
        flags = dave.get("/community/watch/").context["flags"]
        self.assertEqual([f.household for f in flags], [self.nakagawa])
        other = WatchFlag.objects.get(household=self.hana)
        self.assertEqual(dave.post(f"/community/watch/{other.pk}/resolve/", {"resolution": "電話"}).status_code, 404)

    def test_it_keeps_history_of_resolved_flags(self):
        self.quiet_for(self.nakagawa, 25)
        sweep_watch_over()
        dave = Client()
        dave.force_login(self.dave)
        flag = WatchFlag.objects.get()
        dave.post(f"/community/watch/{flag.pk}/resolve/", {"resolution": "電話で元気を確認"})
        page = dave.get("/community/watch/")
        self.assertEqual(list(page.context["flags"]), [])
        self.assertContains(page, "電話で元気を確認")


class FleetTests(CommunityTestCase):
    def staff(self):
        client = Client()
        client.force_login(self.alice)
        return client

    def test_it_lists_devices_with_last_seen_version_and_battery(self):
        tablet = self.tablet(self.hana)
        from toki.community.models import Device
        Device.objects.update(last_seen_at=None)
        tablet.get("/tablet/poll.json?v=1&battery=55")
        page = self.staff().get("/community/fleet/")
        self.assertContains(page, "55%")

    def test_it_counts_households_active_in_the_last_7_days_per_district(self):
        self.tablet(self.hana).get("/tablet/")
        self.tablet(self.nakagawa).get("/tablet/")
        rows = self.staff().get("/community/fleet/").context["active"]
        self.assertEqual({r["district"]: r["active"] for r in rows}, {"両津": 1, "相川": 1})

    def test_it_measures_the_kpi_as_active_households(self):
        today = timezone.localdate()
        ActiveDay.objects.create(household=self.hana, district=self.hana.district, day=today - timedelta(days=2))
        ActiveDay.objects.create(household=self.nakagawa, district=self.nakagawa.district,
                                 day=today - timedelta(days=9))
        measurement = active_households(self.municipality, Period(today - timedelta(days=30), today))
        self.assertEqual((measurement.value, measurement.denominator), (1, 10))

    def test_it_creates_a_household_and_keeps_help_desk_notes(self):
        staff = self.staff()
        response = staff.post("/community/households/", {"label": "新しい 様", "district": self.districts["ryotsu"].pk,
                                                          "jichikai": self.ebisu.pk, "watch_hours": 24})
        household = Household.objects.get(label="新しい 様")
        self.assertRedirects(response, f"/community/households/{household.pk}/")
        staff.post(f"/community/households/{household.pk}/note/", {"text": "音量が0だった"})
        self.assertEqual(HelpNote.objects.get().text, "音量が0だった")

    def test_it_refuses_a_han_of_another_jichikai(self):
        han = self.orito.hans.first()
        response = self.staff().post("/community/households/", {
            "label": "x", "district": self.districts["ryotsu"].pk, "jichikai": self.ebisu.pk, "han": han.pk,
            "watch_hours": 24})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Household.objects.filter(label="x").exists())
