from unittest import mock

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from toki.accounts.models import AuditEvent
from toki.portal import views_staff
from toki.portal.actions import submit_survey_answer
from toki.portal.models import SurveyAnswer
from toki.portal.tests.test_analytics import DAY1, IP, PHONE, at
from toki.portal.tests.test_disaster_mode import with_portal_staff
from toki.test import BaseTestCase


@with_portal_staff
class SurveyTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()

    def answer(self, data=None, *, ip=IP, ua=PHONE, **headers):
        data = {"rating": "4", "comment": "", "next": "/shelters/", **(data or {})}
        return self.client.post(reverse("portal_staff:survey"), data, HTTP_USER_AGENT=ua, REMOTE_ADDR=ip, **headers)

    def test_it_stores_a_rating_and_comment(self):
        self.answer({"rating": "5", "comment": "見やすい"})
        answer = SurveyAnswer.objects.get()
        self.assertEqual((answer.rating, answer.comment), (5, "見やすい"))

    def test_it_redirects_back_with_thanks(self):
        response = self.answer()
        self.assertEqual(response.status_code, 303)
        self.assertEqual(response["Location"], "/shelters/?survey=thanks#survey")

    def test_it_sets_no_cookie(self):
        self.assertEqual(len(self.answer().cookies), 0)

    def test_it_replaces_the_first_answer_of_the_day(self):
        with at(DAY1):
            self.answer({"rating": "2"})
            self.answer({"rating": "5"})
        self.assertEqual(list(SurveyAnswer.objects.values_list("rating", flat=True)), [5])

    def test_it_takes_answers_from_different_readers(self):
        self.answer(ip="203.0.113.1")
        self.answer(ip="203.0.113.2")
        self.assertEqual(SurveyAnswer.objects.count(), 2)

    def test_it_refuses_a_rating_out_of_range(self):
        for rating in ("0", "6", "x", ""):
            response = self.answer({"rating": rating})
            self.assertEqual(response["Location"], "/shelters/?survey=error#survey")
        self.assertFalse(SurveyAnswer.objects.exists())

    def test_it_refuses_a_comment_over_500_characters(self):
        self.answer({"comment": "あ" * 501})
        self.assertFalse(SurveyAnswer.objects.exists())

    def test_it_stores_nothing_when_the_honeypot_is_filled(self):
        response = self.answer({"website": "http://spam.example"})
        self.assertEqual(response["Location"], "/shelters/?survey=thanks#survey")
        self.assertFalse(SurveyAnswer.objects.exists())

    def test_it_refuses_a_post_from_another_site(self):
        self.answer(HTTP_SEC_FETCH_SITE="cross-site")
        self.answer(HTTP_ORIGIN="https://evil.example")
        self.assertFalse(SurveyAnswer.objects.exists())

    def test_it_accepts_a_post_from_its_own_page(self):
        self.answer(HTTP_SEC_FETCH_SITE="same-origin", HTTP_ORIGIN="http://testserver")
        self.assertTrue(SurveyAnswer.objects.exists())

    def test_it_rate_limits_one_address(self):
        with mock.patch.object(views_staff, "SURVEY_LIMIT", 2):
            for n in range(3):
                response = self.answer(ua=f"{PHONE} {n}")
        self.assertEqual(response["Location"], "/shelters/?survey=busy#survey")
        self.assertEqual(SurveyAnswer.objects.count(), 2)

    def test_it_goes_back_only_to_its_own_site(self):
        self.assertEqual(self.answer({"next": "https://evil.example/"})["Location"], "/?survey=thanks#survey")
        self.assertEqual(self.answer({"next": "//evil.example/"})["Location"], "/?survey=thanks#survey")

    def test_it_refuses_get(self):
        self.assertEqual(self.client.get(reverse("portal_staff:survey")).status_code, 405)

    def test_it_records_an_audit_event_without_the_comment(self):
        self.answer({"rating": "3", "comment": "秘密のこと"})
        event = AuditEvent.objects.get(action="portal.survey_answered")
        self.assertEqual(event.changes, {"rating": 3, "replaced": False})


class SurveyActionTests(BaseTestCase):
    def test_it_keeps_the_comment_as_plain_text(self):
        answer, _ = submit_survey_answer(acting_user=self.eve, day=DAY1.date(), visitor_hash="k", rating=3,
                                         comment="<b>良い</b>\x00\u202e\r\n次")
        self.assertEqual(answer.comment, "<b>良い</b>\n次")

    def test_it_refuses_a_rating_out_of_range(self):
        with self.assertRaises(ValidationError):
            submit_survey_answer(acting_user=self.eve, day=DAY1.date(), visitor_hash="k", rating=6)


@with_portal_staff
class SurveyFormTests(BaseTestCase):
    def render(self, query=""):
        request = RequestFactory().get("/" + query)
        return render_to_string("portal/includes/survey.html", {"request": request}, request=request)

    def test_it_posts_to_the_survey_without_a_csrf_token(self):
        html = self.render()
        self.assertIn(f'action="{reverse("portal_staff:survey")}"', html)
        self.assertNotIn("csrfmiddlewaretoken", html)

    def test_it_labels_every_field(self):
        html = self.render()
        self.assertIn('<label for="survey-comment">', html)
        self.assertIn("<legend>", html)

    def test_it_thanks_the_reader(self):
        html = self.render("?survey=thanks")
        self.assertIn('role="status"', html)
        self.assertNotIn("<form", html)

    def test_it_shows_the_error(self):
        self.assertIn('role="alert"', self.render("?survey=error"))
