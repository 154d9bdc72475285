"""The local LINE server's Insight followers statistics (toki/notify/line/localserver_insight.py), through LINE's
own SDK (linebot.v3.insight) and raw HTTP, checked against toki/notify/line/openapi/insight.yml."""

from datetime import date, timedelta

from linebot.v3.insight import ApiClient, Configuration, Insight

from toki.notify.line.localserver_insight import line_today
from toki.notify.line.localserver_process import LocalLineClient
from toki.notify.tests.test_localserver import TOKEN, USERS, LocalServerTestCase


class InsightFollowersTests(LocalServerTestCase):
    def setUp(self):
        super().setUp()
        client = ApiClient(Configuration(access_token=TOKEN, host=self.line.base_url))
        self.addCleanup(client.close)
        self.insight = Insight(client)

    def followers(self, day: date):
        return self.insight.get_number_of_followers(var_date=day.strftime("%Y%m%d"))

    def test_followers_never_fall_and_blocks_come_and_go(self):
        april, may, june = date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)
        for user_id in USERS[:4]:
            self.line.follow(user_id, on=april)
        self.line.block(USERS[0], on=may)
        self.line.unblock(USERS[0], on=june)
        self.line.block(USERS[1], on=june)
        self.line.follow(USERS[1], on=june + timedelta(days=1))  # adding it again unblocks
        answers = {day: self.followers(day) for day in (april - timedelta(days=1), april, may, june,
                                                        june + timedelta(days=1))}
        self.assertEqual([(a.status, a.followers, a.blocks, a.targeted_reaches) for a in answers.values()],
                         [("ready", 0, 0, 0), ("ready", 4, 0, 4), ("ready", 4, 1, 3), ("ready", 4, 1, 3),
                          ("ready", 4, 0, 4)])
        self.assertEqual(self.line.friends, set(USERS[:4]))
        self.assertEqual(self.line.blocked, set())
        self.assertEqual(self.line.invalid_requests, [])

    def test_a_day_not_computed_yet_or_before_line_counted_has_no_figures(self):
        self.line.follow(USERS[0], on=date(2026, 4, 1))
        today = self.followers(line_today())
        self.assertEqual((today.status, today.followers, today.blocks), ("unready", None, None))
        self.assertEqual(self.followers(line_today() - timedelta(days=1)).status, "ready")
        self.line.insight_lag_days = 3
        self.assertEqual(self.followers(line_today() - timedelta(days=2)).status, "unready")
        self.assertEqual(self.followers(date(2016, 10, 31)).status, "out_of_service")

    def test_a_malformed_date_is_refused_as_line_refuses_it(self):
        status, _headers, body = self.raw("GET", "/v2/bot/insight/followers?date=2026-4-1")
        self.assertEqual(status, 400)
        self.assertEqual(body["details"][0]["property"], "date")
        status, _headers, body = self.raw("GET", "/v2/bot/insight/followers?date=20261301")
        self.assertEqual((status, body["details"][0]["property"]), (400, "date"))
        self.assertEqual(self.raw("GET", "/v2/bot/insight/followers", token="wrong")[0], 401)

    def test_another_process_tells_the_server_its_friendships(self):
        LocalLineClient(self.line.base_url).configure(
            friendships=[{"user": USERS[0], "event": "follow", "date": "2026-04-01"},
                         {"user": USERS[1], "event": "follow", "date": "2026-04-02"},
                         {"user": USERS[1], "event": "block", "date": "2026-04-03"}], insight_lag_days=1)
        answer = self.followers(date(2026, 4, 3))
        self.assertEqual((answer.followers, answer.blocks), (2, 1))
