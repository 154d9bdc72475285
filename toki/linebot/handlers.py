"""What Toki does with each LINE webhook event type (data/line-openapi/webhook.yml), and what it answers.

`handle_event(event, municipality)` returns the messages to reply with (possibly none) after making the changes the
event asks for. Every event type of the spec is handled without error; those Toki has no use for are only counted
in the log by type. The log never holds a user id, a text, a location or a postback's data.
"""

import logging
import re
import unicodedata
from urllib.parse import parse_qs

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from toki.linebot import replies, rides_chat
from toki.linebot.distress import is_distress, should_tell_hq, tell_hq, where_to_go
from toki.linebot.settings_link import settings_url
from toki.notify.actions import subscriptions
from toki.notify.actions.test_audience import code_in, join_with_code
from toki.notify.models import MAX_DISTRICTS, Category, Subscriber
from toki.shelters.selectors import NearbySite

logger = logging.getLogger(__name__)

SHELTERS_IN_REPLY = 3


def places_for_location(lat: float, lon: float, n: int = SHELTERS_IN_REPLY, *, municipality=None
                        ) -> tuple[tuple[str, ...], list[NearbySite]]:
    """(hazards in force at the point, the `n` places for the location reply). The places are ranked for those
    hazards (toki.shelters.selectors.nearest_sites: designated for them first, then open, then near): the open
    ones when any is open; otherwise the nearest designated places, none of them open (the reply says so)."""
    from toki.shelters.selectors import hazards_in_force_at, nearest_sites

    hazards = hazards_in_force_at((lat, lon), municipality)
    open_places = nearest_sites((lat, lon), hazards, open_only=True, limit=n, municipality=municipality)
    return hazards, open_places or nearest_sites((lat, lon), hazards, limit=n, municipality=municipality)


# Keywords, compared after NFKC normalisation and lower-casing. Language switches must be the whole message;
# the others may appear in a short message ("避難所はどこ？").
LANGUAGE_WORDS = {
    "english": "en", "英語": "en", "en": "en",
    "日本語": "ja", "japanese": "ja", "にほんご": "ja",
    "やさしい日本語": "ja-easy", "やさしいにほんご": "ja-easy", "easy japanese": "ja-easy",
    "中文": "zh-hans", "简体中文": "zh-hans", "chinese": "zh-hans", "中国語": "zh-hans",
    "한국어": "ko", "korean": "ko", "韓国語": "ko",
}
KEYWORDS = [  # (action, words): the first group that matches wins
    # Shared rides first: 「のりあい交通」 is a ride, not the lifelines' 交通; 「予約の確認」 before 「予約」.
    ("rides_mine", ("予約確認", "予約の確認", "予約を確認", "よやくかくにん", "my booking", "my bookings",
                    "我的预约", "예약 확인")),
    ("ride", ("予約", "よやく", "のりあい", "乗合", "乗り合い", "デマンド", "book a ride", "ride", "rides",
              "booking", "约车", "预约", "합승", "예약")),
    ("settings", ("受信設定", "設定", "せってい", "settings", "setting", "设置", "설정")),
    ("shelters", ("避難所", "避難場所", "ひなんじょ", "shelter", "shelters", "evacuation site", "避难所", "대피소")),
    ("lifelines", ("ライフライン", "停電", "断水", "フェリー", "交通", "lifeline", "lifelines", "ferry", "ferries",
                   "生命线", "라이프라인")),
    ("latest", ("最新", "避難情報", "警報", "情報", "latest", "news", "alert", "alerts", "warning", "warnings",
                "最新消息", "최신")),
    ("prepare", ("防災の備え", "備え", "prepare", "preparedness")),
    ("help", ("help", "ヘルプ", "使い方", "つかいかた", "メニュー", "menu", "帮助", "도움말", "?")),
]
SHORT_MESSAGE = 40  # longer texts are not searched for keywords (someone writing to the city, not a command)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[\s!！。.、,]+$", "", text)


def keyword_action(text: str) -> tuple[str, str]:
    """(action, argument) for a text message: ("language", "en"), ("shelters", ""), … or ("", "")."""
    text = normalise(text)
    if text in LANGUAGE_WORDS:
        return "language", LANGUAGE_WORDS[text]
    if not text or len(text) > SHORT_MESSAGE:
        return "", ""
    for action, words in KEYWORDS:
        for word in words:
            if word == text or (word.isascii() and re.search(rf"\b{re.escape(word)}\b", text)) \
                    or (not word.isascii() and word in text):
                return action, ""
    return "", ""


def _user_id(event: dict) -> str:
    source = event.get("source") or {}
    user_id = source.get("userId")
    return user_id if source.get("type") == "user" and isinstance(user_id, str) and user_id else ""


# --- Dispatch -----------------------------------------------------------------------------------------------


def handle_event(event: dict, municipality) -> tuple[list[dict], str]:
    """Make the changes `event` asks for and return (messages to reply with, language to build them in)."""
    handler = HANDLERS.get(event.get("type"), _log_only)
    return handler(event, municipality)


def _log_only(event: dict, municipality) -> tuple[list[dict], str]:
    logger.info("LINE webhook: %s event received, nothing to do", str(event.get("type"))[:40])
    return [], ""


def _follow(event: dict, municipality) -> tuple[list[dict], str]:
    user_id = _user_id(event)
    if not user_id:
        return _log_only(event, municipality)
    subscriber, created = subscriptions.follow_line_user(municipality=municipality, user_id=user_id)
    subscriber = _in_app_language(subscriber, created, user_id)
    with translation.override(subscriber.language):
        return (replies.welcome_messages(subscriber, settings_url(subscriber.pk), returning=not created),
                subscriber.language)


def _in_app_language(subscriber: Subscriber, created: bool, user_id: str) -> Subscriber:
    """A new friend starts in the language of their LINE app, when LINE tells it (whether their first event was a
    follow or a message); a returning one keeps what they chose."""
    if not created:
        return subscriber
    language = profile_language(user_id)
    if language and language != subscriber.language:
        subscriber = subscriptions.update_subscription(subscriber=subscriber, via="line", language=language)
    return subscriber


def _writer(municipality, user_id: str) -> Subscriber | None:
    """The subscriber of the user who wrote or tapped; a friend Toki has no row for (added before the webhook, or
    their follow event lost) becomes one, in their LINE app's language."""
    if not user_id:
        return None
    known = Subscriber.objects.filter(channel="line", address=user_id).exists()
    subscriber = subscriptions.ensure_line_subscriber(municipality=municipality, user_id=user_id)
    return _in_app_language(subscriber, not known, user_id)


def language_for_tag(tag: str) -> str:
    """Toki's language for a BCP 47 tag of the LINE app: ja, en, ko, Chinese → zh-hans; any other → en (more
    visitors read English than Japanese); "" when there is no tag."""
    tag = (tag or "").lower()
    if not tag:
        return ""
    primary = tag.split("-")[0]
    return {"ja": "ja", "en": "en", "ko": "ko", "zh": "zh-hans"}.get(primary, "en")


def profile_language(user_id: str) -> str:
    """The language of the user's LINE app (GET /v2/bot/profile/{userId}); "" if LINE does not say or fails.
    Only the language is read; the display name and picture are neither kept nor logged."""
    import urllib3
    from linebot.v3.messaging import ApiException

    from toki.notify.line import client

    if not client.is_configured():
        return ""
    try:
        with client.messaging_api() as api:
            profile = api.get_profile(user_id, _request_timeout=client.request_timeout())
    except ApiException as exc:
        logger.info("LINE webhook: profile not available (HTTP %s)", exc.status)
        return ""
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        logger.info("LINE webhook: profile request failed: %s", type(exc).__name__)
        return ""
    return language_for_tag(profile.language or "")


def _unfollow(event: dict, municipality) -> tuple[list[dict], str]:
    user_id = _user_id(event)
    if user_id:
        subscriptions.unfollow_line_user(user_id=user_id)
    return [], ""  # a blocked account cannot be replied to


def _join(event: dict, municipality) -> tuple[list[dict], str]:
    with translation.override("ja"):
        return replies.join_messages(), "ja"


def _message(event: dict, municipality) -> tuple[list[dict], str]:
    message = event.get("message") or {}
    user_id = _user_id(event)
    subscriber = _writer(municipality, user_id)
    language = subscriber.language if subscriber else "ja"
    kind = message.get("type")
    with translation.override(language):
        if kind == "text":
            text = str(message.get("text", ""))
            if user_id and is_distress(text):  # before anything else, whatever its length
                return _distress(text, subscriber, municipality, user_id), language
            if subscriber and code_in(text):  # 「テスト <code>」 from the test audience page (HQ)
                return _join_test_audience(subscriber, code_in(text)), language
            action, argument = keyword_action(text)
            if subscriber and rides_chat.awaits_text(subscriber):
                if not action:  # the name or phone number the ride booking asked for
                    return rides_chat.on_text(subscriber, text), language
                rides_chat.drop(subscriber)  # a keyword instead: the booking is left
            if not action:
                # In a group chat only keywords are answered: people there talk to each other, not to the city.
                return (replies.help_messages() if subscriber else []), language
            return _run(action, argument, subscriber, municipality, user_id)
        if kind == "location":
            try:
                lat, lon = float(message["latitude"]), float(message["longitude"])
            except (KeyError, TypeError, ValueError):
                return replies.help_messages(), language
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                return replies.help_messages(), language
            if subscriber:  # a place for a door-to-door ride, when the booking asks where from or to
                ride = rides_chat.on_location(subscriber, lat, lon, str(message.get("address") or ""))
                if ride is not None:
                    return ride, language
            hazards, nearby = places_for_location(lat, lon, SHELTERS_IN_REPLY, municipality=municipality)
            in_force = replies.in_force_messages(municipality)
            return replies.nearest_shelters_messages(nearby, hazards=hazards, in_force=in_force), language
        logger.info("LINE webhook: %s message received, answered with help", str(kind)[:20])
        return (replies.help_messages() if subscriber else []), language


def _join_test_audience(subscriber: Subscriber, code: str) -> list[dict]:
    if join_with_code(subscriber=subscriber, code=code):
        return [replies.text_message(_("This phone is now in the test audience: it receives drills and tests."))]
    return [replies.text_message(_("This test code is not valid (it changes every hour). Look at the test "
                                   "audience page again."))]


def _distress(text: str, subscriber: Subscriber | None, municipality, user_id: str) -> list[dict]:
    """Someone may be in danger: the emergency numbers, that nobody reads this chat, and where to go now; HQ sees
    the message while it is watching (disaster mode, or an order in force)."""
    if should_tell_hq(municipality):
        tell_hq(municipality, user_id, text)
    logger.info("LINE webhook: a message that may be a call for help was answered")
    hazards, places = where_to_go(municipality, subscriber)
    return replies.distress_messages(municipality, hazards, places)


def _postback(event: dict, municipality) -> tuple[list[dict], str]:
    data = parse_qs(str((event.get("postback") or {}).get("data", ""))[:300])
    value = {key: values[0] for key, values in data.items()}
    user_id = _user_id(event)
    subscriber = _writer(municipality, user_id)
    language = subscriber.language if subscriber else "ja"
    with translation.override(language):
        if "ride" in value:  # a button of a ride booking (rides_chat: its token is checked there)
            if subscriber is None:
                return replies.help_messages(), language
            params = (event.get("postback") or {}).get("params")
            return rides_chat.on_postback(subscriber, value, params if isinstance(params, dict) else {}), language
        action = value.get("action", "")
        if action == "settings" and value.get("step"):
            return _run("settings_" + value["step"], "", subscriber, municipality, user_id)
        if action == "set":
            if "language" in value:
                return _run("language", value["language"], subscriber, municipality, user_id)
            if "audience" in value:
                return _run("audience", value["audience"], subscriber, municipality, user_id)
        if action in ("district", "category"):
            return _run(action, value.get("code", "*" if value.get("all") else ""), subscriber, municipality,
                        user_id)
        return _run(action, "", subscriber, municipality, user_id)


# --- Actions shared by keywords and postbacks ---------------------------------------------------------------


def _run(action: str, argument: str, subscriber: Subscriber | None, municipality, user_id: str) \
        -> tuple[list[dict], str]:
    language = subscriber.language if subscriber else "ja"
    if action == "latest":
        return replies.latest_messages(municipality), language
    if action == "shelters":
        return replies.shelter_prompt_messages(), language
    if action == "lifelines":
        return replies.lifelines_messages(municipality), language
    if action == "prepare":
        return replies.preparedness_messages(), language
    if subscriber is None:  # settings and rides need a person: a group chat gets the help text
        return (replies.help_messages() if action else []), language
    if action in ("ride", "rides_mine"):  # 「予約」/「予約の確認」 or the menu (rides_chat.py)
        return (rides_chat.start(subscriber) if action == "ride" else rides_chat.mine(subscriber)), language
    return _settings_action(action, argument, subscriber, user_id)


def _settings_action(action: str, argument: str, subscriber: Subscriber, user_id: str) -> tuple[list[dict], str]:
    if action in ("language", "audience", "tourist", "resident"):
        if action == "language":
            changes = {"language": argument}
        elif action == "audience":
            changes = {"audience": argument}
        elif action == "tourist":  # the menu's Tourist/English button
            changes = {"audience": Subscriber.Audience.TOURIST, "language": "en"}
        else:  # the tourist menu's 日本語 button
            changes = {"audience": Subscriber.Audience.RESIDENT, "language": "ja"}
        try:
            subscriber = subscriptions.update_subscription(subscriber=subscriber, via="line", **changes)
        except ValidationError:
            with translation.override(subscriber.language):
                return replies.help_messages(), subscriber.language
        if "audience" in changes:
            from toki.linebot.richmenu_sync import link_menu_for_audience

            link_menu_for_audience(user_id, subscriber.audience)
        with translation.override(subscriber.language):  # answer in the language just chosen
            return replies.saved_messages(subscriber), subscriber.language
    with translation.override(subscriber.language):
        return _settings_reply(action, argument, subscriber), subscriber.language


def _settings_reply(action: str, argument: str, subscriber: Subscriber) -> list[dict]:
    if action == "settings":
        return replies.settings_menu_messages(subscriber, settings_url(subscriber.pk))
    if action == "settings_language":
        return replies.language_step_messages()
    if action == "settings_audience":
        return replies.audience_step_messages()
    if action == "settings_districts":
        return replies.districts_step_messages(subscriber)
    if action == "settings_categories":
        return replies.categories_step_messages(subscriber)
    if action == "district":
        return replies.districts_step_messages(*_toggle_district(subscriber, argument))
    if action == "category":
        return replies.categories_step_messages(*_toggle_category(subscriber, argument))
    return replies.help_messages()


def _toggle_district(subscriber: Subscriber, code: str) -> tuple[Subscriber, str]:
    if code == "*":
        return subscriptions.update_subscription(subscriber=subscriber, via="line", all_districts=True,
                                                 district_codes=[]), ""
    codes = [] if subscriber.all_districts else list(subscriber.districts.values_list("code", flat=True))
    if code in codes:
        codes.remove(code)
    elif len(codes) >= MAX_DISTRICTS:
        return subscriber, _("You can choose at most %(max)d districts. Tap one to remove it first.") \
            % {"max": MAX_DISTRICTS}
    else:
        codes.append(code)
    try:
        return subscriptions.update_subscription(subscriber=subscriber, via="line", all_districts=not codes,
                                                 district_codes=codes), ""
    except ValidationError:
        return subscriber, ""


def _toggle_category(subscriber: Subscriber, code: str) -> tuple[Subscriber, str]:
    if code not in Category.values:
        return subscriber, ""
    chosen = list(subscriber.categories)
    chosen = [c for c in chosen if c != code] if code in chosen else [*chosen, code]
    if not chosen:
        return subscriber, _("Choose at least one kind of information.")
    return subscriptions.update_subscription(subscriber=subscriber, via="line", categories=chosen), ""


HANDLERS = {
    "follow": _follow,
    "unfollow": _unfollow,
    "message": _message,
    "postback": _postback,
    "join": _join,
}
# Every other type of the spec (unsend, leave, memberJoined, memberLeft, videoPlayComplete, beacon, accountLink,
# membership, module, activated, deactivated, botSuspended, botResumed, delivery) and any future type: logged by
# type only. An unsend needs nothing: Toki keeps no message a user sent.
SPEC_EVENT_TYPES = ("message", "unsend", "follow", "unfollow", "join", "leave", "memberJoined", "memberLeft",
                    "postback", "videoPlayComplete", "beacon", "accountLink", "membership", "module", "activated",
                    "deactivated", "botSuspended", "botResumed", "delivery")
