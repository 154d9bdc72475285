"""The local LINE Messaging API server (toki/notify/line/localserver.py), driven by line-bot-sdk v3 and raw HTTP."""

import io
import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid

from django.test import SimpleTestCase
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    BroadcastRequest,
    Configuration,
    FlexBox,
    FlexBubble,
    FlexMessage,
    FlexText,
    MessagingApi,
    MessagingApiBlob,
    MulticastRequest,
    NarrowcastRequest,
    PostbackAction,
    PushMessageRequest,
    ReplyMessageRequest,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
    RichMenuSize,
    TextMessage,
)
from PIL import Image
from urllib3.exceptions import HTTPError as Urllib3Error

from toki.notify.line.localserver import LocalLineServer, load_spec
from toki.notify.line.localserver_ops import image_dimensions
from toki.notify.line.localserver_process import LocalLineProcess

TOKEN = "test-token"
USERS = [f"U{i:032x}" for i in range(1, 601)]


def text(value="避難指示が発令されました"):
    return {"type": "text", "text": value}


def image_bytes(width, height, kind="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 90, 160)).save(buffer, kind)
    return buffer.getvalue()


def rich_menu(width=2500, height=843):
    return RichMenuRequest(
        size=RichMenuSize(width=width, height=height), selected=True, name="Toki main", chat_bar_text="メニュー",
        areas=[RichMenuArea(bounds=RichMenuBounds(x=0, y=0, width=width // 2, height=height),
                            action=PostbackAction(data="action=latest", display_text="最新の情報"))],
    )


class LocalServerTestCase(SimpleTestCase):
    server_options: dict = {}

    def setUp(self):
        self.line = LocalLineServer(TOKEN, **self.server_options).start()
        self.addCleanup(self.line.stop)
        self.api_client = ApiClient(Configuration(access_token=TOKEN, host=self.line.base_url))
        self.addCleanup(self.api_client.close)
        self.api = MessagingApi(self.api_client)
        self.blob = MessagingApiBlob(self.api_client)

    def tearDown(self):
        # Every answer this server gave must match the spec's response schema.
        self.assertEqual(self.line.response_errors, [])

    def raw(self, method, path, body=None, *, token=TOKEN, headers=None, data=None, content_type="application/json"):
        """(status, headers, JSON or bytes) of a raw HTTP request."""
        payload = data if data is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.line.base_url + path, data=payload, method=method)
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        if payload is not None:
            request.add_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, answer_headers, content = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, answer_headers, content = error.code, error.headers, error.read()
        if answer_headers.get("Content-Type", "").startswith("application/json"):
            return status, answer_headers, json.loads(content)
        return status, answer_headers, content


class MessagingTests(LocalServerTestCase):
    def test_it_accepts_and_records_a_multicast_sent_by_the_sdk(self):
        flex = FlexMessage(alt_text="【佐渡市】避難指示 両津地区", contents=FlexBubble(
            body=FlexBox(layout="vertical", contents=[FlexText(text="両津地区に避難指示", wrap=True)])))
        self.api.multicast(MulticastRequest(to=USERS[:500], messages=[TextMessage(text="避難指示"), flex]),
                           x_line_retry_key=str(uuid.uuid4()))
        self.assertEqual(self.line.invalid_requests, [])
        self.assertEqual(len(self.line.delivery_counts()), 500)
        delivery = self.line.received[USERS[0]][0]
        self.assertEqual(delivery.operation, "multicast")
        self.assertEqual([m["type"] for m in delivery.messages], ["text", "flex"])
        self.assertEqual(delivery.messages[1]["altText"], "【佐渡市】避難指示 両津地区")
        self.assertEqual(delivery.request_id, self.line.requests[-1].request_id)
        self.assertEqual(self.line.requests[-1].status, 200)

    def test_it_refuses_501_recipients(self):
        status, _, body = self.raw("POST", "/v2/bot/message/multicast", {"to": USERS[:501], "messages": [text()]})
        self.assertEqual(status, 400)
        self.assertEqual(body["message"], "The request body has 1 error(s)")
        self.assertEqual(body["details"], [{"message": "Size must be between 1 and 500", "property": "to"}])
        self.assertEqual(self.line.received, {})
        self.assertEqual(len(self.line.invalid_requests), 1)

    def test_it_refuses_six_messages(self):
        status, _, body = self.raw("POST", "/v2/bot/message/multicast", {"to": USERS[:2], "messages": [text()] * 6})
        self.assertEqual(status, 400)
        self.assertIn({"message": "Size must be between 1 and 5", "property": "messages"}, body["details"])

    def test_it_refuses_a_text_message_without_text_with_details(self):
        status, _, body = self.raw("POST", "/v2/bot/message/push", {"to": USERS[0], "messages": [{"type": "text"}]})
        self.assertEqual(status, 400)
        self.assertEqual(body["details"], [{"message": "must be specified", "property": "messages[0].text"}])
        self.assertEqual(self.line.invalid_requests[0].operation, "pushMessage")
        self.assertEqual(self.line.invalid_requests[0].json["messages"], [{"type": "text"}])

    def test_it_refuses_an_unknown_message_type_and_an_overlong_text(self):
        messages = [{"type": "telegram", "text": "x"}, text("あ" * 5001),
                    {"type": "flex", "contents": {"type": "bubble"}}]
        status, _, body = self.raw("POST", "/v2/bot/message/multicast", {"to": USERS[:1], "messages": messages})
        self.assertEqual(status, 400)
        by_property = {d["property"]: d["message"] for d in body["details"]}
        self.assertTrue(by_property["messages[0].type"].startswith("Must be one of the following values: [text,"))
        self.assertEqual(by_property["messages[1].text"], "Length must be between 1 and 5000")
        self.assertEqual(by_property["messages[2].altText"], "must be specified")

    def test_it_checks_nested_objects_through_references(self):
        message = text()
        message["quickReply"] = {"items": [{"type": "action", "action": {"type": "postback", "label": "x",
                                                                          "data": "x" * 301}}]}
        status, _, body = self.raw("POST", "/v2/bot/message/push", {"to": USERS[0], "messages": [message]})
        self.assertEqual(status, 400)
        self.assertEqual(body["details"], [{"message": "Length must be between 0 and 300",
                                            "property": "messages[0].quickReply.items[0].action.data"}])

    def test_it_refuses_a_quick_reply_button_without_a_label_or_with_one_over_20_characters(self):
        message = text()
        message["quickReply"] = {"items": [
            {"type": "action", "action": {"type": "location"}},
            {"type": "action", "action": {"type": "postback", "label": "あ" * 21, "data": "x"}},
            {"type": "action", "action": {"type": "location", "label": "場所を送る"}},
            {"type": "action", "action": {"type": "postback", "label": "あ" * 20, "data": "x"}},
        ]}
        status, _, body = self.raw("POST", "/v2/bot/message/push", {"to": USERS[0], "messages": [message]})
        self.assertEqual(status, 400)
        self.assertEqual(body["details"], [
            {"message": "must be specified", "property": "messages[0].quickReply.items[0].action.label"},
            {"message": "Length must be between 1 and 20", "property": "messages[0].quickReply.items[1].action.label"},
        ])

    def test_it_refuses_ids_that_are_not_line_user_ids(self):
        status, _, body = self.raw("POST", "/v2/bot/message/multicast", {"to": [USERS[0], "42"], "messages": [text()]})
        self.assertEqual(status, 400)
        self.assertEqual(body["message"], "The property, 'to[1]', in the request body is invalid (line: -, column: -)")
        self.assertEqual(self.line.received, {})

    def test_it_refuses_a_missing_or_wrong_token(self):
        status, _, body = self.raw("POST", "/v2/bot/message/push", {"to": USERS[0], "messages": [text()]}, token="x")
        self.assertEqual(status, 401)
        self.assertIn("Authentication failed", body["message"])
        status, _, body = self.raw("GET", "/v2/bot/info", token=None)
        self.assertEqual(status, 401)
        self.assertIn("Authorization header required", body["message"])
        with self.assertRaises(ApiException) as caught, \
                ApiClient(Configuration(access_token="stolen", host=self.line.base_url)) as client:
            MessagingApi(client).push_message(PushMessageRequest(to=USERS[0], messages=[TextMessage(text="x")]))
        self.assertEqual(caught.exception.status, 401)
        self.assertEqual(len(self.line.invalid_requests), 3)
        self.assertEqual(self.line.received, {})

    def test_it_answers_404_for_a_path_not_in_the_spec(self):
        status, _, body = self.raw("POST", "/v2/bot/message/megacast", {"to": USERS[:1], "messages": [text()]})
        self.assertEqual((status, body), (404, {"message": "Not found"}))
        status, _, _ = self.raw("DELETE", "/v2/bot/message/multicast")
        self.assertEqual(status, 405)

    def test_it_requires_json_content_type_and_a_parsable_body(self):
        status, _, _ = self.raw("POST", "/v2/bot/message/broadcast", data=b'{"messages": []}',
                                content_type="text/plain")
        self.assertEqual(status, 415)
        status, _, body = self.raw("POST", "/v2/bot/message/broadcast", data=b'{"messages": [')
        self.assertEqual(status, 400)
        self.assertIn("could not be parsed", body["message"])

    def test_it_checks_required_query_parameters(self):
        status, _, body = self.raw("GET", "/v2/bot/message/progress/narrowcast")
        self.assertEqual(status, 400)
        self.assertEqual(body["details"], [{"message": "must be specified", "property": "requestId"}])

    def test_it_answers_a_repeated_retry_key_with_409_and_delivers_once(self):
        key = str(uuid.uuid4())
        request = PushMessageRequest(to=USERS[0], messages=[TextMessage(text="給水所を開設しました")])
        first = self.api.push_message_with_http_info(request, x_line_retry_key=key)
        with self.assertRaises(ApiException) as caught:
            self.api.push_message(request, x_line_retry_key=key)
        self.assertEqual(caught.exception.status, 409)
        self.assertEqual(caught.exception.headers["x-line-accepted-request-id"], first.headers["x-line-request-id"])
        self.assertEqual(json.loads(caught.exception.body)["sentMessages"], first.data.to_dict()["sentMessages"])
        self.assertEqual(len(self.line.received[USERS[0]]), 1)
        self.assertEqual(self.line.received[USERS[0]][0].retry_key, key)
        self.assertEqual(self.line.invalid_requests, [])  # a 409 is LINE's answer to a valid retry, not an error

    def test_it_forgets_a_retry_key_after_its_retention(self):
        self.line.retry_key_ttl = 0.05
        key = str(uuid.uuid4())
        request = PushMessageRequest(to=USERS[0], messages=[TextMessage(text="x")])
        self.api.push_message(request, x_line_retry_key=key)
        time.sleep(0.06)
        self.api.push_message(request, x_line_retry_key=key)
        self.assertEqual(len(self.line.received[USERS[0]]), 2)

    def test_it_accepts_a_retry_key_once_under_concurrency(self):
        key = str(uuid.uuid4())
        self.line.latency = 0.02
        statuses = []

        def send():
            statuses.append(self.raw("POST", "/v2/bot/message/multicast", {"to": USERS[:3], "messages": [text()]},
                                     headers={"X-Line-Retry-Key": key})[0])

        threads = [threading.Thread(target=send) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(sorted(statuses), [200] + [409] * 7)
        self.assertEqual(self.line.delivery_counts(), dict.fromkeys(USERS[:3], 1))

    def test_it_refuses_a_retry_key_where_line_does_not_support_it_or_that_is_not_a_uuid(self):
        token = self.line.issue_reply_token(USERS[0])
        status, _, body = self.raw("POST", "/v2/bot/message/reply", {"replyToken": token, "messages": [text()]},
                                   headers={"X-Line-Retry-Key": str(uuid.uuid4())})
        self.assertEqual(status, 400)
        self.assertIn("X-Line-Retry-Key", body["message"])
        status, _, _ = self.raw("POST", "/v2/bot/message/push", {"to": USERS[0], "messages": [text()]},
                                headers={"X-Line-Retry-Key": "alert-42"})
        self.assertEqual(status, 400)
        self.assertEqual(self.line.received, {})

    def test_it_replies_once_per_reply_token(self):
        token = self.line.issue_reply_token(USERS[4])
        self.api.reply_message(ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="登録しました")]))
        with self.assertRaises(ApiException) as caught:
            self.api.reply_message(ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="again")]))
        self.assertEqual(caught.exception.status, 400)
        self.assertEqual([d.messages[0]["text"] for d in self.line.received[USERS[4]]], ["登録しました"])

    def test_it_broadcasts_and_narrowcasts_to_the_friends(self):
        self.line.friends = set(USERS[:3])
        self.line.blocked = {USERS[2]}
        self.api.broadcast(BroadcastRequest(messages=[TextMessage(text="全市に避難指示")]))
        response = self.api.narrowcast_with_http_info(NarrowcastRequest(messages=[TextMessage(text="訓練")]))
        self.assertEqual(response.status_code, 202)
        progress = self.api.get_narrowcast_progress(response.headers["x-line-request-id"])
        self.assertEqual((progress.phase, progress.success_count), ("succeeded", 2))
        self.assertEqual(self.line.delivery_counts(), {USERS[0]: 2, USERS[1]: 2})
        self.assertEqual(self.line.stats()["blocked_skipped"], 2)

    def test_it_says_monthly_limit_with_429(self):
        self.line.monthly_limit_reached = True
        with self.assertRaises(ApiException) as caught:
            self.api.multicast(MulticastRequest(to=USERS[:2], messages=[TextMessage(text="x")]))
        self.assertEqual(caught.exception.status, 429)
        self.assertEqual(json.loads(caught.exception.body), {"message": "You have reached your monthly limit."})
        self.assertEqual(self.line.received, {})

    def test_it_answers_profiles_and_the_spec_examples_of_other_operations(self):
        self.line.profiles[USERS[0]] = {"displayName": "佐渡 太郎", "language": "ja"}
        self.assertEqual(self.api.get_profile(USERS[0]).display_name, "佐渡 太郎")
        with self.assertRaises(ApiException) as caught:
            self.api.get_profile("not-a-user")
        self.assertEqual(caught.exception.status, 404)
        self.assertEqual(self.api.get_webhook_endpoint().endpoint, "https://example.com/test")
        self.assertEqual(self.api.get_message_quota().type, "none")


class GenericOperationTests(LocalServerTestCase):
    def test_it_answers_every_other_operation_of_the_spec_with_a_valid_answer_or_501(self):
        generic = [op for op in self.line.spec.operations if not hasattr(self.line, "op_" + op.operation_id)
                   and not op.body_required]
        self.assertGreater(len(generic), 20)
        statuses = {}
        for op in generic:
            integers = {p["name"] for p in op.parameters if p.get("schema", {}).get("type") == "integer"}
            path = re.sub(r"\{([^}]+)\}", lambda m, ints=integers: "7" if m[1] in ints else USERS[0], op.template)
            query = "&".join(f"{p['name']}={'20260101' if p['name'] == 'date' else 'x'}" for p in op.parameters
                             if p.get("in") == "query" and p.get("required"))
            statuses[op.operation_id] = self.raw(op.method, path + (f"?{query}" if query else ""))[0]
        self.assertEqual({k: v for k, v in statuses.items() if v not in (200, 202, 501)}, {})
        self.assertEqual(statuses["getMessageContent"], 501)  # binary content is not kept
        self.assertEqual(statuses["testWebhookEndpoint"], 200)  # its body is optional
        self.assertEqual(self.line.invalid_requests, [])


class FaultTests(LocalServerTestCase):
    def test_it_fails_the_next_requests_without_delivering(self):
        self.line.fail_next(2, status=503)
        request = MulticastRequest(to=USERS[:2], messages=[TextMessage(text="x")])
        for _ in range(2):
            with self.assertRaises(ApiException) as caught:
                self.api.multicast(request)
            self.assertEqual(caught.exception.status, 503)
        self.assertEqual(self.line.received, {})
        self.api.multicast(request)
        self.assertEqual(self.line.delivery_counts(), {USERS[0]: 1, USERS[1]: 1})

    def test_it_delivers_then_answers_500_so_only_the_retry_key_prevents_a_duplicate(self):
        key = str(uuid.uuid4())
        request = MulticastRequest(to=USERS[:2], messages=[TextMessage(text="x")])
        self.line.fail_next(1, status=500, deliver=True)
        with self.assertRaises(ApiException) as caught:
            self.api.multicast(request, x_line_retry_key=key)
        self.assertEqual(caught.exception.status, 500)
        with self.assertRaises(ApiException) as caught:
            self.api.multicast(request, x_line_retry_key=key)
        self.assertEqual(caught.exception.status, 409)
        self.api.multicast(request)  # without a key LINE cannot tell: a second delivery
        self.assertEqual(self.line.delivery_counts(), {USERS[0]: 2, USERS[1]: 2})

    def test_it_drops_the_connection_with_or_without_delivering(self):
        request = PushMessageRequest(to=USERS[0], messages=[TextMessage(text="x")])
        self.line.drop_next(1)
        with self.assertRaises(Urllib3Error):
            self.api.push_message(request)
        self.assertEqual(self.line.received, {})
        self.line.drop_next(1, deliver=True, operation="pushMessage")
        self.api.get_profile(USERS[1])  # another operation is not affected
        with self.assertRaises(Urllib3Error):
            self.api.push_message(request)
        self.assertEqual(len(self.line.received[USERS[0]]), 1)
        self.api.push_message(request)
        self.assertEqual(len(self.line.received[USERS[0]]), 2)

    def test_it_resets_everything_but_its_configuration(self):
        self.api.push_message(PushMessageRequest(to=USERS[0], messages=[TextMessage(text="x")]))
        self.line.fail_next(5)
        self.line.reset()
        self.assertEqual((self.line.received, list(self.line.requests), self.line.faults), ({}, [], []))
        self.api.push_message(PushMessageRequest(to=USERS[0], messages=[TextMessage(text="x")]))
        self.assertEqual(self.line.stats()["requests"], 1)


class TruncatedRequestTests(LocalServerTestCase):
    """A sender killed mid-body (the exactly-once test kills workers while they send): LINE never sees such a
    request, so the server drops it unanswered, counted apart from invalid requests."""

    def send_cut_short(self, headers: str, body: bytes) -> None:
        import socket
        from urllib.parse import urlsplit

        address = urlsplit(self.line.base_url)
        with socket.create_connection((address.hostname, address.port), timeout=5) as sock:
            sock.sendall(f"POST /v2/bot/message/multicast HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode() + body)
            sock.shutdown(socket.SHUT_WR)
            sock.recv(1024)  # the server closes without an answer
        for _ in range(50):
            if self.line.stats()["truncated"]:
                return
            time.sleep(0.02)

    def test_it_drops_a_body_shorter_than_its_content_length(self):
        self.send_cut_short(f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"
                            "Content-Length: 500\r\n", b'{"to": ["U')
        stats = self.line.stats()
        self.assertEqual((stats["truncated"], stats["invalid"], stats["deliveries"]), (1, 0, 0))

    def test_it_drops_a_chunked_body_that_stops_mid_chunk(self):
        self.send_cut_short(f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"
                            "Transfer-Encoding: chunked\r\n", b"40\r\n{\"to\": [")
        stats = self.line.stats()
        self.assertEqual((stats["truncated"], stats["invalid"]), (1, 0))


class RateLimitAndLatencyTests(LocalServerTestCase):
    server_options = {"rate_limits": {"multicast": 5}}

    def test_it_answers_429_over_the_limit_of_one_endpoint(self):
        statuses = [self.raw("POST", "/v2/bot/message/multicast", {"to": USERS[:1], "messages": [text()]})[0]
                    for _ in range(8)]
        self.assertEqual(statuses.count(200), 5)
        self.assertEqual(statuses.count(429), 3)
        _, _, body = self.raw("POST", "/v2/bot/message/multicast", {"to": USERS[:1], "messages": [text()]})
        self.assertEqual(body, {"message": "The API rate limit has been exceeded. Try again later."})
        self.assertEqual(self.raw("POST", "/v2/bot/message/push", {"to": USERS[0], "messages": [text()]})[0], 200)
        self.assertEqual(self.line.delivery_counts()[USERS[0]], 6)
        self.assertEqual(self.line.invalid_requests, [])

    def test_it_takes_at_least_the_configured_latency(self):
        self.line.latency = 0.05
        started = time.monotonic()
        self.api.get_profile(USERS[0])
        self.assertGreaterEqual(time.monotonic() - started, 0.05)

    def test_it_serves_many_concurrent_multicasts(self):
        self.line.latency = 0.05
        self.line.configure_rate_limits(table="line")
        errors = []

        def worker(batch):
            try:
                with ApiClient(Configuration(access_token=TOKEN, host=self.line.base_url)) as client:
                    api = MessagingApi(client)
                    for start in batch:
                        api.multicast(MulticastRequest(to=USERS[start:start + 6], messages=[TextMessage(text="x")]),
                                      x_line_retry_key=str(uuid.uuid4()))
            except Exception as error:
                errors.append(error)

        threads = [threading.Thread(target=worker, args=(range(w * 60, w * 60 + 60, 6),)) for w in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(self.line.stats()["by_operation"]["multicast"], {"200": 100})
        self.assertEqual(self.line.delivery_counts(), dict.fromkeys(USERS[:600], 1))


class RichMenuTests(LocalServerTestCase):
    def create_with_image(self, width=2500, height=843):
        rich_menu_id = self.api.create_rich_menu(rich_menu(width, height)).rich_menu_id
        self.blob.set_rich_menu_image(rich_menu_id, body=image_bytes(width, height), _headers={
            "Content-Type": "image/png"})
        return rich_menu_id

    def test_it_creates_uploads_and_sets_the_default_rich_menu(self):
        rich_menu_id = self.create_with_image()
        self.assertRegex(rich_menu_id, r"^richmenu-[0-9a-f]{32}$")
        self.api.set_default_rich_menu(rich_menu_id)
        self.assertEqual(self.line.default_richmenu_id, rich_menu_id)
        self.assertEqual(self.api.get_default_rich_menu_id().rich_menu_id, rich_menu_id)
        self.assertEqual(self.line.richmenus[rich_menu_id]["chatBarText"], "メニュー")
        self.assertEqual((self.line.richmenu_images[rich_menu_id].width,
                          self.line.richmenu_images[rich_menu_id].height), (2500, 843))
        menu = self.api.get_rich_menu(rich_menu_id)
        self.assertEqual(menu.areas[0].action.data, "action=latest")
        self.assertEqual([m.rich_menu_id for m in self.api.get_rich_menu_list().richmenus], [rich_menu_id])
        self.assertEqual(self.blob.get_rich_menu_image(rich_menu_id)[:8], b"\x89PNG\r\n\x1a\n")
        self.api.cancel_default_rich_menu()
        self.assertIsNone(self.line.default_richmenu_id)
        self.assertEqual(self.line.invalid_requests, [])

    def test_it_links_users_and_aliases_and_deletes(self):
        main, disaster = self.create_with_image(), self.create_with_image(2500, 1686)
        self.api.link_rich_menu_id_to_user(USERS[0], main)
        self.assertEqual(self.api.get_rich_menu_id_of_user(USERS[0]).rich_menu_id, main)
        self.api.unlink_rich_menu_id_from_user(USERS[0])
        self.assertNotIn(USERS[0], self.line.user_richmenus)
        from linebot.v3.messaging import CreateRichMenuAliasRequest, UpdateRichMenuAliasRequest
        self.api.create_rich_menu_alias(CreateRichMenuAliasRequest(rich_menu_alias_id="toki-main", rich_menu_id=main))
        self.api.update_rich_menu_alias("toki-main", UpdateRichMenuAliasRequest(rich_menu_id=disaster))
        self.assertEqual(self.line.richmenu_aliases, {"toki-main": disaster})
        self.api.delete_rich_menu(disaster)
        self.assertEqual(self.line.richmenu_aliases, {})
        self.assertEqual(list(self.line.richmenus), [main])

    def test_it_refuses_an_image_of_the_wrong_size_or_kind(self):
        rich_menu_id = self.api.create_rich_menu(rich_menu()).rich_menu_id
        for data, content_type in [(image_bytes(2500, 1686), "image/png"), (image_bytes(600, 200), "image/png"),
                                   (image_bytes(2500, 843, "JPEG"), "image/png")]:
            with self.assertRaises(ApiException) as caught:
                self.blob.set_rich_menu_image(rich_menu_id, body=data, _headers={"Content-Type": content_type})
            self.assertEqual(caught.exception.status, 400)
        status, _, _ = self.raw("POST", f"/v2/bot/richmenu/{rich_menu_id}/content", data=b"GIF89a",
                                content_type="image/gif")
        self.assertEqual(status, 415)
        self.assertNotIn(rich_menu_id, self.line.richmenu_images)
        with self.assertRaises(ApiException) as caught:
            self.api.set_default_rich_menu(rich_menu_id)
        self.assertEqual(caught.exception.status, 400)
        self.blob.set_rich_menu_image(rich_menu_id, body=image_bytes(2500, 843, "JPEG"),
                                      _headers={"Content-Type": "image/jpeg"})
        self.assertEqual(self.line.richmenu_images[rich_menu_id].content_type, "image/jpeg")

    def test_it_refuses_an_invalid_rich_menu_object(self):
        status, _, body = self.raw("POST", "/v2/bot/richmenu", {"size": {"width": 2500, "height": 843},
                                                               "chatBarText": "とても長いメニューの名前です、十四字超"})
        self.assertEqual(status, 400)
        properties = {d["property"] for d in body["details"]}
        self.assertEqual(properties, {"areas", "name", "selected", "chatBarText"})
        with self.assertRaises(ApiException) as caught:
            self.api.validate_rich_menu_object(rich_menu(700, 843))
        self.assertEqual(json.loads(caught.exception.body)["details"][0]["property"], "size.width")
        self.assertEqual(self.line.richmenus, {})


class ImageAndSpecTests(SimpleTestCase):
    def test_it_reads_png_and_jpeg_dimensions(self):
        self.assertEqual(image_dimensions(image_bytes(2500, 843)), ("image/png", 2500, 843))
        self.assertEqual(image_dimensions(image_bytes(1200, 810, "JPEG")), ("image/jpeg", 1200, 810))
        self.assertIsNone(image_dimensions(b"GIF89a...."))

    def test_it_routes_literal_segments_before_templates(self):
        spec = load_spec()
        self.assertEqual(spec.route("GET", "/v2/bot/richmenu/list")[0].operation_id, "getRichMenuList")
        self.assertEqual(spec.route("GET", "/v2/bot/richmenu/richmenu-1")[1], {"richMenuId": "richmenu-1"})
        self.assertTrue(spec.route("POST", "/v2/bot/richmenu/richmenu-1/content")[0].data_host)


class ProcessTests(SimpleTestCase):
    def test_it_runs_as_a_separate_process_with_introspection(self):
        with LocalLineProcess(latency_ms=1) as process:
            with ApiClient(Configuration(access_token=TOKEN, host=process.base_url)) as client:
                api = MessagingApi(client)
                api.multicast(MulticastRequest(to=USERS[:3], messages=[TextMessage(text="x")]))
                process.client.fail_next(1, status=500, deliver=True)
                with self.assertRaises(ApiException):
                    api.push_message(PushMessageRequest(to=USERS[0], messages=[TextMessage(text="y")]))
            self.assertEqual(process.client.delivery_counts(), {USERS[0]: 2, USERS[1]: 1, USERS[2]: 1})
            operations = [d["operation"] for d in process.client.deliveries(USERS[0])]
            self.assertEqual(operations, ["multicast", "pushMessage"])
            stats = process.client.stats()
            self.assertEqual((stats["requests"], stats["invalid"], stats["max_per_recipient"]), (2, 0, 2))
            process.client.reset()
            self.assertEqual(process.client.delivery_counts(), {})
        self.assertIsNotNone(process.process.poll())
