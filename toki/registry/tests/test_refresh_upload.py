"""The refresh from the page: the file uploaded (UTF-8 or Shift_JIS/CP932, size-limited, refused as a whole with
file:row: field: reason, nothing staged), then reviewed with the old and new values side by side (a logged look),
decided row by row, selected or all at once, with the reason a person left, and the approved rows applied."""

from io import StringIO

from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from toki.accounts.models import AuditEvent
from toki.registry.models import AccessLog, Person, Refresh, RefreshChange
from toki.registry.tests.helpers import KEYS_V1, RegistryLoginMixin, csv_bytes, person_row, write_csv
from toki.registry.tests.test_refresh import HEADER, rows
from toki.test import BaseTestCase

URL = reverse("registry:refreshes")


def upload_file(data: bytes, name: str = "welfare.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def the_new_file():
    return rows(K2=person_row("K2", name="住所 変更", name_kana="ジュウショ ヘンコウ", address="佐渡市両津湊1",
                              phone="0259-11-2222"),
                K3={**person_row("K3", name="転出 する", name_kana="テンシュツ スル"), "left_reason": "moved"},
                K4=person_row("K4", name="施設 入所", name_kana="シセツ ニュウショ", in_facility="1"),
                K5=None,
                K6=person_row("K6", name="髙橋 新規", name_kana="タカハシ シンキ"))


@override_settings(**KEYS_V1)
class UploadTests(RegistryLoginMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with override_settings(**KEYS_V1):
            call_command("registry_import", str(write_csv(csv_bytes(rows(), HEADER))), "--by", "alice",
                         stdout=StringIO())

    def setUp(self):
        super().setUp()
        self.login(self.alice)

    def upload(self, data: bytes, encoding: str = "auto", name: str = "welfare.csv"):
        return self.client.post(URL, {"file": upload_file(data, name), "encoding": encoding})

    def test_a_utf8_file_is_staged_and_shown_for_review(self):
        answer = self.upload(csv_bytes(the_new_file(), HEADER))
        refresh = Refresh.objects.get()
        self.assertRedirects(answer, reverse("registry:refresh", args=[refresh.pk]))
        self.assertEqual({"new": 1, "changed": 1, "left": 3, "unchanged": 1, "not_listed": 0}, refresh.counts)
        self.assertEqual("welfare.csv", refresh.file_name)
        self.assertFalse(Person.objects.filter(status=Person.Status.LEFT).exists())

    def test_a_shift_jis_file_is_detected_and_read(self):
        data = csv_bytes(the_new_file(), HEADER, encoding="cp932")
        with self.assertRaises(UnicodeDecodeError):
            data.decode("utf-8")  # really not UTF-8
        self.assertEqual(302, self.upload(data).status_code)
        staged = RefreshChange.objects.get(kind=RefreshChange.Kind.NEW)
        self.assertEqual("髙橋 新規", staged.values["name"])  # 髙: a CP932 (IBM extension) character
        self.assertEqual(302, self.upload(data, encoding="shift_jis").status_code)

    def test_a_file_in_another_encoding_than_chosen_is_refused(self):
        answer = self.upload(csv_bytes(the_new_file(), HEADER, encoding="cp932"), encoding="utf-8")
        self.assertContains(answer, "welfare.csv:0: (file): line 2 cannot be read as utf-8 (is it Shift_JIS/CP932?)",
                            status_code=400)
        self.assertContains(answer, "id=\"upload-problems\"", status_code=400)  # nothing was staged
        self.assertFalse(Refresh.objects.exists())
        self.assertContains(self.upload(b"a", encoding="latin-9"), "is not one of", status_code=400)

    def test_every_problem_is_listed_and_nothing_is_staged(self):
        bad = rows(K6={**person_row("K6", birth_date="1938-13-01"), "left_reason": "vanished"})
        answer = self.upload(csv_bytes(bad, HEADER))
        self.assertContains(answer, "welfare.csv:7: birth_date:", status_code=400)
        self.assertContains(answer, "welfare.csv:7: left_reason:", status_code=400)
        self.assertNotContains(answer, "1938-13-01", status_code=400)  # a reason never repeats the value
        self.assertFalse(Refresh.objects.exists())

    def test_files_that_are_not_text_or_empty_or_not_csv_are_refused(self):
        self.assertContains(self.upload(b"source_id\x00,name\r\n"), "holds NUL characters", status_code=400)
        self.assertContains(self.upload(b"", name="empty.csv"), "no file, or an empty one", status_code=400)
        self.assertContains(self.client.post(URL, {"encoding": "auto"}), "no file, or an empty one",
                            status_code=400)
        self.assertContains(self.upload(b"%PDF-1.7", name="list.pdf"), "is not a .csv or .txt file",
                            status_code=400)
        self.assertContains(self.upload(b"source_id,my_number\r\n1,2\r\n"), "個人番号 is never imported",
                            status_code=400)
        self.assertFalse(Refresh.objects.exists())

    @override_settings(TOKI_REGISTRY_UPLOAD_MAX_MB=1)
    def test_a_file_over_the_limit_is_refused(self):
        body = csv_bytes(the_new_file(), HEADER)
        just_over = body + b"," * (1024 * 1024 + 1 - len(body))  # the in-memory handler stops at the limit
        self.assertContains(self.upload(just_over), "(file): is larger than 1 MB", status_code=400)
        far_over = body + b"," * (3 * 1024 * 1024)  # not even read
        self.assertContains(self.upload(far_over), "(file): is larger than 1 MB", status_code=413)
        self.assertFalse(Refresh.objects.exists())

    def test_the_upload_checks_csrf(self):
        client = Client(enforce_csrf_checks=True)
        client.cookies = self.client.cookies
        answer = client.post(URL, {"file": upload_file(csv_bytes(the_new_file(), HEADER)), "encoding": "auto"})
        self.assertEqual(403, answer.status_code)
        self.assertFalse(Refresh.objects.exists())

    def test_outsiders_cannot_upload(self):
        for persona in (self.dave, self.bob, self.eve):
            self.login(persona)
            self.assertEqual(404, self.upload(csv_bytes(the_new_file(), HEADER)).status_code)
        self.assertFalse(Refresh.objects.exists())


@override_settings(**KEYS_V1)
class ReviewTests(RegistryLoginMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with override_settings(**KEYS_V1):
            call_command("registry_import", str(write_csv(csv_bytes(rows(), HEADER))), "--by", "alice",
                         stdout=StringIO())

    def setUp(self):
        super().setUp()
        self.login(self.alice)
        self.client.post(URL, {"file": upload_file(csv_bytes(the_new_file(), HEADER)), "encoding": "auto"})
        self.refresh = Refresh.objects.get()
        self.url = reverse("registry:refresh", args=[self.refresh.pk])
        self.change = {self.name_of(c): c for c in RefreshChange.objects.filter(refresh=self.refresh)}

    @staticmethod
    def name_of(change: RefreshChange) -> str:
        if change.values:
            return change.values["name"]
        return Person.objects.get(pk=change.person_id or 0).name

    def test_changed_values_are_side_by_side_and_the_look_is_logged(self):
        page = self.client.get(self.url).content.decode()
        k2 = self.change["住所 変更"]
        block = page[page.index(f'data-change="{k2.pk}"'):]
        block = block[:block.index("</tbody>")]
        self.assertIn('<td class="before">佐渡市相川一町目1</td><td class="after">佐渡市両津湊1</td>', block)
        self.assertIn('<td class="before">0259-00-0001</td><td class="after">0259-11-2222</td>', block)
        self.assertNotIn("歩行困難", block)  # an unchanged item is not shown
        look = AccessLog.objects.get(person_id=k2.person_id, purpose="register_upkeep")
        self.assertEqual(["address", "name", "phone"], look.fields)
        self.assertEqual(AccessLog.Basis.INTERNAL, look.basis)
        self.assertIn('<option value="moved" selected>', page)  # the file said moved

    def test_rows_are_decided_one_by_one_selected_or_all_and_only_approved_ones_are_applied(self):
        k2, k3, k4, k5 = (self.change[n] for n in ("住所 変更", "転出 する", "施設 入所", "名簿 外れ"))
        self.assertEqual(302, self.client.post(self.url, {"row": f"{k2.pk}:approved"}).status_code)
        self.client.post(self.url, {"row": f"{k3.pk}:rejected"})  # the reviewer knows K3 has not moved
        self.client.post(self.url, {"op": "approve_selected", "change": [k4.pk, k5.pk], f"reason-{k5.pk}": "died"})
        refused = self.client.post(self.url, {"op": "apply"})
        self.assertContains(refused, "1 row(s) are not decided yet", status_code=400)
        self.assertContains(self.client.get(self.url), "未判断 1・承認 3・却下 1")
        self.client.post(self.url, {"op": "approve_rest"})
        self.assertEqual(302, self.client.post(self.url, {"op": "apply"}).status_code)
        people = {p.name: p for p in Person.objects.all()}
        self.assertEqual("佐渡市両津湊1", people["住所 変更"].address)
        self.assertEqual("active", people["転出 する"].status)  # rejected: left as it was
        self.assertEqual(("left", "facility"), (people["施設 入所"].status, people["施設 入所"].left_reason))
        self.assertEqual(("left", "died"), (people["名簿 外れ"].status, people["名簿 外れ"].left_reason))
        self.assertEqual("active", people["髙橋 新規"].status)
        refresh = Refresh.objects.get()
        self.assertEqual((Refresh.State.APPLIED, 4, 1), (refresh.state, refresh.counts["applied"],
                                                         refresh.counts["rejected"]))
        self.assertEqual({"[]"}, {repr(v) for v in RefreshChange.objects.values_list("values", flat=True)})
        self.assertEqual(4, AuditEvent.objects.filter(action="registry.refresh_rows_decided").count())

    def test_reject_all_undecided_then_apply_changes_nothing(self):
        self.client.post(self.url, {"op": "reject_rest"})
        self.client.post(self.url, {"op": "apply"})
        self.assertFalse(Person.objects.filter(status=Person.Status.LEFT).exists())
        self.assertEqual(5, Person.objects.count())

    def test_bad_decisions_are_refused_and_change_nothing(self):
        k3 = self.change["転出 する"]
        for data in ({"row": f"{k3.pk}:maybe"}, {"row": "x:approved"}, {"op": "approve_selected"},
                     {"op": "approve_selected", "change": [k3.pk, 999999]},
                     {"row": f"{k3.pk}:approved", f"reason-{k3.pk}": "abducted"}, {"op": "shrug"}):
            self.assertEqual(400, self.client.post(self.url, data).status_code, data)
        self.assertEqual({""}, set(RefreshChange.objects.values_list("decision", flat=True)))
        self.assertEqual("moved", RefreshChange.objects.get(pk=k3.pk).left_reason)
