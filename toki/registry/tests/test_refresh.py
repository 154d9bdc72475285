"""The refresh diff through the command and the page: new / changed / left (moved, died, facility, criteria,
absent) shown to an officer before anything is applied; approve applies it, discard does not; a stale diff is
refused; a bad file stages nothing; outsiders get 404."""

from io import StringIO

from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from toki.registry.models import AccessLog, Person, Refresh, RefreshChange
from toki.registry.tests.helpers import HEADER as BASE_HEADER
from toki.registry.tests.helpers import KEYS_V1, RegistryLoginMixin, csv_bytes, person_row, write_csv
from toki.test import BaseTestCase

HEADER = [*BASE_HEADER, "left_reason"]


def rows(**overrides):
    base = {
        "K1": person_row("K1", name="変更 なし", name_kana="ヘンコウ ナシ"),
        "K2": person_row("K2", name="住所 変更", name_kana="ジュウショ ヘンコウ"),
        "K3": person_row("K3", name="転出 する", name_kana="テンシュツ スル"),
        "K4": person_row("K4", name="施設 入所", name_kana="シセツ ニュウショ"),
        "K5": person_row("K5", name="名簿 外れ", name_kana="メイボ ハズレ"),
    }
    base.update(overrides)
    return [{**row, "left_reason": row.get("left_reason", "")} for row in base.values() if row is not None]


@override_settings(**KEYS_V1)
class RefreshTests(RegistryLoginMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with override_settings(**KEYS_V1):
            call_command("registry_import", str(write_csv(csv_bytes(rows(), HEADER))), "--by", "alice",
                         stdout=StringIO())

    def stage(self, data_rows) -> Refresh:
        out = StringIO()
        call_command("registry_refresh", str(write_csv(csv_bytes(data_rows, HEADER))), "--by", "alice", stdout=out)
        return Refresh.objects.latest("id")

    def the_new_file(self):
        return rows(K2=person_row("K2", name="住所 変更", name_kana="ジュウショ ヘンコウ", address="佐渡市両津湊1"),
                    K3={**person_row("K3", name="転出 する", name_kana="テンシュツ スル"), "left_reason": "moved"},
                    K4=person_row("K4", name="施設 入所", name_kana="シセツ ニュウショ", in_facility="1"),
                    K5=None,  # absent from the file
                    K6=person_row("K6", name="新規 登録", name_kana="シンキ トウロク"))

    def test_the_officer_sees_the_diff_before_anything_is_applied(self):
        refresh = self.stage(self.the_new_file())
        self.assertEqual({"new": 1, "changed": 1, "left": 3, "unchanged": 1, "not_listed": 0}, refresh.counts)
        self.assertFalse(Person.objects.filter(status=Person.Status.LEFT).exists())  # nothing applied yet
        self.login(self.alice)
        page = self.client.get(reverse("registry:refresh", args=[refresh.pk]))
        for text in ("新規 登録", "住所 変更", "佐渡市両津湊1",
                     "転出 する", "転出", "施設 入所", "施設入所", "名簿 外れ",
                     "更新ファイルに記載なし"):
            self.assertContains(page, text)
        self.assertNotContains(page, "変更 なし")
        self.assertEqual(4, AccessLog.objects.filter(actor=self.alice, purpose="register_upkeep").count())

    def test_approving_applies_the_diff(self):
        refresh = self.stage(self.the_new_file())
        self.login(self.alice)
        self.assertEqual(302, self.client.post(reverse("registry:refresh", args=[refresh.pk]),
                                               {"op": "approve"}).status_code)
        people = {p.name: p for p in Person.objects.all()}
        self.assertEqual("佐渡市両津湊1", people["住所 変更"].address)
        self.assertEqual(("left", "moved"), (people["転出 する"].status, people["転出 する"].left_reason))
        self.assertEqual("facility", people["施設 入所"].left_reason)
        self.assertEqual("absent", people["名簿 外れ"].left_reason)
        self.assertEqual("active", people["新規 登録"].status)
        self.assertEqual(Refresh.State.APPLIED, Refresh.objects.get().state)
        again = self.client.post(reverse("registry:refresh", args=[refresh.pk]), {"op": "approve"})
        self.assertEqual(400, again.status_code)

    def test_discarding_applies_nothing_and_drops_the_staged_values(self):
        refresh = self.stage(self.the_new_file())
        self.login(self.alice)
        self.client.post(reverse("registry:refresh", args=[refresh.pk]), {"op": "discard"})
        self.assertFalse(Person.objects.filter(status=Person.Status.LEFT).exists())
        self.assertEqual(5, Person.objects.count())
        self.assertEqual({"[]"}, {repr(v) for v in RefreshChange.objects.values_list("values", flat=True)})

    def test_a_diff_older_than_a_change_of_its_people_is_refused(self):
        refresh = self.stage(self.the_new_file())
        later = self.stage(rows(K2=person_row("K2", name="住所 変更", name_kana="ジュウショ ヘンコウ",
                                              address="佐渡市相川2")))
        self.login(self.alice)
        self.client.post(reverse("registry:refresh", args=[later.pk]), {"op": "approve"})
        stale = self.client.post(reverse("registry:refresh", args=[refresh.pk]), {"op": "approve"})
        self.assertContains(stale, "差分を作り直してください", status_code=400)
        self.assertEqual("佐渡市相川2", next(p for p in Person.objects.all() if p.name == "住所 変更").address)

    def test_a_bad_file_stages_nothing(self):
        bad = rows(K6={**person_row("K6"), "left_reason": "vanished"})
        with self.assertRaisesMessage(CommandError, "nothing was staged"):
            call_command("registry_refresh", str(write_csv(csv_bytes(bad, HEADER))), "--by", "alice",
                         stdout=StringIO(), stderr=StringIO())
        self.assertFalse(Refresh.objects.exists())

    def test_outsiders_and_recipients_get_404(self):
        refresh = self.stage(self.the_new_file())
        for persona in (self.dave, self.bob, self.eve):
            self.login(persona)
            self.assertEqual(404, self.client.get(reverse("registry:refreshes")).status_code)
            self.assertEqual(404, self.client.get(reverse("registry:refresh", args=[refresh.pk])).status_code)
            self.assertEqual(404, self.client.post(reverse("registry:refresh", args=[refresh.pk]),
                                                   {"op": "approve"}).status_code)
        self.assertEqual(Refresh.State.PENDING, Refresh.objects.get().state)
