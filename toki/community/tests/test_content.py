from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from toki.community.models import Attendance, Item, Receipt
from toki.community.tests.support import CommunityTestCase


class PublishingTests(CommunityTestCase):
    def leader(self, user=None) -> Client:
        client = Client()
        client.force_login(user or self.kenji)
        return client

    def publish(self, client, **fields) -> Item:
        data = {"kind": "circular", "jichikai": self.ebisu.pk, "title": "草刈りのお知らせ", "body": "日曜の朝です。",
                **fields}
        response = client.post("/community/items/", data)
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        return Item.objects.latest("pk")

    def test_it_lets_a_leader_publish_to_their_jichikai(self):
        item = self.publish(self.leader())
        self.assertEqual((item.jichikai, item.published_by), (self.ebisu, self.kenji))

    def test_it_refuses_a_leader_another_jichikai(self):
        response = self.leader().post("/community/items/", {"kind": "circular", "jichikai": self.orito.pk,
                                                            "title": "x", "body": "y"})
        self.assertEqual(response.status_code, 200)  # the form says the choice is not valid
        self.assertFalse(Item.objects.exists())

    def test_it_keeps_the_newsletter_for_city_staff(self):
        self.leader().post("/community/items/", {"kind": "newsletter", "title": "広報", "body": "本文"})
        self.assertFalse(Item.objects.exists())
        staff = self.leader(self.alice)
        pdf = SimpleUploadedFile("kouhou.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        item = self.publish(staff, kind="newsletter", jichikai="", title="広報さど 1月号", body="本文",
                            attachment=pdf)
        self.assertEqual(item.attachments.get().name, "kouhou.pdf")

    def test_it_refuses_a_file_that_is_not_a_pdf(self):
        fake = SimpleUploadedFile("x.pdf", b"MZ\x90\x00", content_type="application/pdf")
        response = self.leader().post("/community/items/", {"kind": "circular", "jichikai": self.ebisu.pk,
                                                            "title": "x", "body": "y", "attachment": fake})
        self.assertContains(response, "not a PDF file")
        self.assertFalse(Item.objects.exists())

    def test_it_shows_the_receipt_on_the_leaders_page(self):
        item = self.publish(self.leader())
        tablet = self.tablet(self.hana)
        self.assertContains(tablet.get(f"/tablet/items/{item.pk}/"), "日曜の朝です。")
        tablet.post(f"/tablet/items/{item.pk}/seen/")
        tablet.post(f"/tablet/items/{item.pk}/seen/")  # a second tap changes nothing
        self.assertEqual(Receipt.objects.filter(item=item).count(), 1)
        page = self.leader().get(f"/community/items/{item.pk}/")
        self.assertEqual([r["household"] for r in page.context["readers"]["seen"]], [self.hana])
        self.assertEqual(page.context["readers"]["total"], 5)

    def test_it_lists_the_households_that_have_not_seen_it_after_n_days(self):
        item = self.publish(self.leader())
        self.tablet(self.hana).post(f"/tablet/items/{item.pk}/seen/")
        page = self.leader().get(f"/community/items/{item.pk}/?days=3")
        self.assertNotContains(page, 'id="unseen-list"')
        Item.objects.filter(pk=item.pk).update(published_at=timezone.now() - timedelta(days=4))
        page = self.leader().get(f"/community/items/{item.pk}/?days=3")
        self.assertContains(page, 'id="unseen-list"')
        self.assertEqual(len(page.context["readers"]["unseen"]), 4)
        self.assertNotIn(self.hana.label, page.content.decode().split('id="unseen-list"')[1])

    def test_it_sends_a_han_circular_to_that_han_only(self):
        han2 = self.ebisu.hans.get(name="2班")
        item = self.publish(self.leader(), han=han2.pk)
        self.assertEqual(self.tablet(self.hana).get(f"/tablet/items/{item.pk}/").status_code, 404)  # 1班
        self.assertEqual(self.tablet(self.households[2]).get(f"/tablet/items/{item.pk}/").status_code, 200)

    def test_it_hides_another_jichikais_circular(self):
        item = self.publish(self.leader())
        self.assertEqual(self.tablet(self.nakagawa).get(f"/tablet/items/{item.pk}/").status_code, 404)

    def test_it_hides_the_readers_page_from_another_leader(self):
        item = self.publish(self.leader())
        self.assertEqual(self.leader(self.michiko).get(f"/community/items/{item.pk}/").status_code, 404)

    def test_it_records_attendance_answers(self):
        item = self.publish(self.leader(), kind="event", event_at="2027-01-10T10:00")
        tablet = self.tablet(self.hana)
        tablet.post(f"/tablet/items/{item.pk}/attend/", {"answer": "yes"})
        tablet.post(f"/tablet/items/{item.pk}/attend/", {"answer": "no"})
        self.assertEqual(Attendance.objects.get(item=item).answer, "no")
        self.assertEqual(tablet.post(f"/tablet/items/{item.pk}/attend/", {"answer": "?"}).status_code, 400)

    def test_it_finds_last_months_circular(self):
        item = self.publish(self.leader(), title="先月の回覧 ごみ当番")
        Item.objects.filter(pk=item.pk).update(published_at=timezone.now() - timedelta(days=35))
        self.publish(self.leader(), title="別の回覧")
        page = self.tablet(self.hana).get("/tablet/search/?q=ごみ 当番")
        self.assertEqual([i.pk for i in page.context["items"]], [item.pk])

    def test_it_serves_an_attachment_only_to_its_audience(self):
        staff = self.leader()
        pdf = SimpleUploadedFile("map.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        item = self.publish(staff, attachment=pdf)
        file = item.attachments.get()
        url = f"/tablet/items/{item.pk}/files/{file.pk}/"
        self.assertEqual(self.tablet(self.hana).get(url).status_code, 200)
        self.assertEqual(self.tablet(self.nakagawa).get(url).status_code, 404)
        self.assertEqual(Client().get(url).status_code, 403)
