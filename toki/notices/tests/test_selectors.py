from datetime import timedelta

from django.utils import timezone

from toki.notices import actions, selectors
from toki.notices.models import Notice
from toki.notices.tests.helpers import make_notice
from toki.test import BaseTestCase


class LatestNoticesTests(BaseTestCase):
    def test_it_returns_the_newest_published_up_to_the_limit(self):
        notices = [make_notice(self, versions={"ja": (f"お知らせ{i}", "<p>a</p>")}) for i in range(7)]
        make_notice(self, publish=False)
        latest = selectors.latest_notices(self.municipality)
        self.assertEqual([n.pk for n in latest], [n.pk for n in reversed(notices)][:5])
        self.assertEqual(len(selectors.latest_notices(self.municipality, limit=2)), 2)

    def test_it_loads_versions_and_districts_in_three_queries(self):
        for _ in range(5):
            make_notice(self, districts=("ryotsu", "aikawa"))
        with self.assertNumQueries(3):
            for notice in selectors.latest_notices(self.municipality):
                notice.version_for("en")
                list(notice.districts.all())

    def test_it_keeps_to_a_district_and_the_whole_city(self):
        city = make_notice(self)
        ryotsu = make_notice(self, districts=("ryotsu",))
        make_notice(self, districts=("aikawa",))
        both = make_notice(self, districts=("ryotsu", "aikawa"))
        latest = selectors.latest_notices(self.municipality, district=self.districts["ryotsu"])
        self.assertEqual({n.pk for n in latest}, {city.pk, ryotsu.pk, both.pk})


class PublishedBetweenTests(BaseTestCase):
    def test_it_counts_first_publications_in_the_period(self):
        now = timezone.now()
        old = make_notice(self)
        Notice.objects.filter(pk=old.pk).update(published_at=now - timedelta(days=40))
        make_notice(self)
        withdrawn = actions.unpublish_notice(acting_user=self.alice, notice=make_notice(self))
        actions.publish_notice(acting_user=self.alice, notice=withdrawn)  # again: still one publication
        make_notice(self, publish=False)
        start, end = now - timedelta(days=30), now + timedelta(days=1)
        self.assertEqual(selectors.notices_published_between(self.municipality, start, end), 2)
        self.assertEqual(selectors.notices_published_between(self.municipality, now - timedelta(days=60), end), 3)

    def test_it_excludes_the_end_of_the_period(self):
        notice = make_notice(self)
        self.assertEqual(selectors.notices_published_between(self.municipality, notice.published_at - timedelta(
            hours=1), notice.published_at), 0)


class StaffSelectorTests(BaseTestCase):
    def test_it_gives_outsiders_and_bob_nothing(self):
        make_notice(self, publish=False)
        for user in (self.bob, self.eve):
            with self.subTest(user=user.username):
                self.assertFalse(selectors.notices_for_staff(user, self.municipality).exists())

    def test_it_gives_editors_drafts_too(self):
        make_notice(self, publish=False)
        self.assertEqual(selectors.notices_for_staff(self.alice, self.municipality).count(), 1)
