"""The operations of the local LINE server (localserver.py): messages, rich menus, profiles, quota.

Each `op_<operationId>` gets the already validated request (`Call`) and returns a `Reply` or raises
`LineError`; it runs under the server's lock, so it may read and change the server's state freely.
"""

import re
import struct
import time
import uuid
from dataclasses import dataclass, field
from typing import NamedTuple

USER_ID = re.compile(r"^U[0-9a-f]{32}$")
CHAT_ID = re.compile(r"^[UCR][0-9a-f]{32}$")
RICH_MENU_ID = re.compile(r"^richmenu-[0-9a-f]{32}$")
MAX_RICH_MENUS = 1000
MAX_IMAGE_BYTES = 1024 * 1024
NOT_FOUND = "Not found"


class LineError(Exception):
    def __init__(self, status: int, message: str, details: list | None = None, headers: dict | None = None,
                 extra: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.details = status, message, details or []
        self.headers, self.extra = headers or {}, extra or {}

    def body(self) -> dict:
        body = {"message": self.message}
        if self.details:
            body["details"] = self.details
        body.update(self.extra)
        return body


@dataclass
class Call:
    operation: str
    request_id: str
    body: object
    raw: bytes
    content_type: str
    path_params: dict
    query: dict
    retry_key: str | None


@dataclass
class Reply:
    status: int = 200
    body: object = field(default_factory=dict)  # dict → JSON; bytes → sent as is with content_type
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)


class Delivery(NamedTuple):
    """What one recipient received from one accepted request (a tuple: cheap for 20,000 recipients)."""

    request_id: str
    operation: str
    messages: tuple | None  # None when the server does not record bodies
    retry_key: str | None
    at: float

    def as_json(self) -> dict:
        return {"requestId": self.request_id, "operation": self.operation, "retryKey": self.retry_key,
                "at": self.at, "messages": list(self.messages) if self.messages is not None else None}


@dataclass
class RichMenuImage:
    content_type: str
    width: int
    height: int
    data: bytes


def image_dimensions(data: bytes) -> tuple[str, int, int] | None:
    """(content type, width, height) read from a PNG or JPEG header, or None for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", width, height
    if data[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2:i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if i + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return "image/jpeg", width, height
        i += 2 + length
    return None


def rich_menu_size_problems(width: int, height: int, what: str) -> list[dict]:
    """LINE's size rules for rich menus and their images: width 800–2500, height ≥ 250, width/height ≥ 1.45."""
    problems = []
    if not 800 <= width <= 2500:
        problems.append({"message": "must be between 800 and 2500", "property": f"{what}.width"})
    if height < 250:
        problems.append({"message": "must be greater than or equal to 250", "property": f"{what}.height"})
    if height > 0 and width / height < 1.45:
        problems.append({"message": "aspect ratio (width / height) must be 1.45 or more", "property": what})
    return problems


def _not_found() -> LineError:
    return LineError(404, NOT_FOUND)


class LineOperations:
    """Mixed into LocalLineServer; needs the state attributes that LocalLineServer.reset() creates."""

    # --- sending --------------------------------------------------------------------------------------------
    def _deliver(self, call: Call, recipients) -> int:
        messages = tuple(call.body["messages"]) if self.record_bodies else None
        delivery = Delivery(call.request_id, call.operation, messages, call.retry_key, time.time())
        received, blocked = self.received, self.blocked
        count = 0
        for user_id in dict.fromkeys(recipients):  # a repeated id in one request is delivered once
            if user_id in blocked:
                self.counters["blocked_skipped"] += 1
                continue
            received[user_id].append(delivery)  # one immutable record shared by the request's recipients
            count += 1
        self.counters["deliveries"] += count
        self.counters["messages"] += count * len(call.body["messages"])
        return count

    def _sent_messages(self, call: Call) -> list[dict]:
        sent = []
        for message in call.body["messages"]:
            self._message_serial += 1
            item = {"id": str(500_000_000_000_000_000 + self._message_serial)}
            if message.get("type") in ("text", "textV2", "sticker", "image", "video"):
                item["quoteToken"] = uuid.uuid4().hex
            sent.append(item)
        return sent

    def _check_ids(self, ids, prop: str, pattern: re.Pattern) -> None:
        if not self.strict_ids:
            return
        for index, value in enumerate(ids):
            if not pattern.match(value):
                where = f"{prop}[{index}]" if isinstance(ids, list) and prop == "to" and len(ids) > 0 else prop
                raise LineError(400, f"The property, '{where}', in the request body is invalid (line: -, column: -)")

    def _check_quota(self) -> None:
        if self.monthly_limit_reached:
            raise LineError(429, "You have reached your monthly limit.")

    def op_pushMessage(self, call: Call) -> Reply:
        to = call.body["to"]
        if self.strict_ids and not CHAT_ID.match(to):
            raise LineError(400, "The property, 'to', in the request body is invalid (line: -, column: -)")
        self._check_quota()
        self._deliver(call, [to])
        return Reply(body={"sentMessages": self._sent_messages(call)})

    def op_multicast(self, call: Call) -> Reply:
        self._check_ids(call.body["to"], "to", USER_ID)
        self._check_quota()
        self._deliver(call, call.body["to"])
        return Reply(body={})

    def op_broadcast(self, call: Call) -> Reply:
        self._check_quota()
        self.broadcasts.append({"requestId": call.request_id, "messages": call.body["messages"]})
        self._deliver(call, sorted(self.friends))
        return Reply(body={})

    def op_narrowcast(self, call: Call) -> Reply:
        self._check_quota()
        targeted = "recipient" in call.body or "filter" in call.body
        count = 0 if targeted else self._deliver(call, sorted(self.friends))
        self.narrowcasts[call.request_id] = {"body": call.body, "count": count, "at": time.time()}
        return Reply(status=202, body={})

    def op_getNarrowcastProgress(self, call: Call) -> Reply:
        job = self.narrowcasts.get(call.query["requestId"][0])
        if job is None:
            raise _not_found()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S+09:00", time.localtime(job["at"]))
        return Reply(body={"phase": "succeeded", "successCount": job["count"], "failureCount": 0,
                           "targetCount": job["count"], "acceptedTime": stamp, "completedTime": stamp})

    def op_replyMessage(self, call: Call) -> Reply:
        user_id = self.reply_tokens.pop(call.body["replyToken"], None)
        if user_id is None:
            raise LineError(400, "Invalid reply token")
        self._deliver(call, [user_id])
        return Reply(body={"sentMessages": self._sent_messages(call)})

    def op_validatePush(self, call: Call) -> Reply:
        return Reply(body={})

    op_validateMulticast = op_validateBroadcast = op_validateNarrowcast = op_validateReply = op_validatePush

    def op_getMessageQuota(self, call: Call) -> Reply:
        return Reply(body={"type": "none"})

    def op_getMessageQuotaConsumption(self, call: Call) -> Reply:
        return Reply(body={"totalUsage": self.counters["messages"]})

    # --- users ----------------------------------------------------------------------------------------------
    def op_getProfile(self, call: Call) -> Reply:
        user_id = call.path_params["userId"]
        if user_id in self.profiles:
            return Reply(body={"userId": user_id, **self.profiles[user_id]})
        if user_id in self.blocked or (self.strict_ids and not USER_ID.match(user_id)):
            raise _not_found()
        return Reply(body={"userId": user_id, "displayName": f"User {user_id[-4:]}", "language": "ja"})

    def op_getFollowers(self, call: Call) -> Reply:
        return Reply(body={"userIds": sorted(self.friends)})

    def op_getBotInfo(self, call: Call) -> Reply:
        return Reply(body={"userId": "U" + "0" * 32, "basicId": "@000toki", "displayName": "Toki local",
                           "chatMode": "bot", "markAsReadMode": "auto"})

    def op_showLoadingAnimation(self, call: Call) -> Reply:
        return Reply(status=202, body={})

    # --- rich menus -----------------------------------------------------------------------------------------
    def _rich_menu_problems(self, menu: dict) -> list[dict]:
        size = menu["size"]
        problems = rich_menu_size_problems(size["width"], size["height"], "size")
        for index, area in enumerate(menu["areas"]):
            b = area["bounds"]
            if b["x"] + b["width"] > size["width"] or b["y"] + b["height"] > size["height"]:
                problems.append({"message": "must be inside the rich menu", "property": f"areas[{index}].bounds"})
        return problems

    def _menu(self, rich_menu_id: str) -> dict:
        menu = self.richmenus.get(rich_menu_id)
        if menu is None:
            raise _not_found()
        return menu

    def _menu_with_image(self, rich_menu_id: str) -> dict:
        menu = self._menu(rich_menu_id)
        if rich_menu_id not in self.richmenu_images:
            raise LineError(400, "must upload richmenu image before applying it to user")
        return menu

    def op_validateRichMenuObject(self, call: Call) -> Reply:
        problems = self._rich_menu_problems(call.body)
        if problems:
            raise LineError(400, f"The request body has {len(problems)} error(s)", problems)
        return Reply(body={})

    def op_createRichMenu(self, call: Call) -> Reply:
        self.op_validateRichMenuObject(call)
        if len(self.richmenus) >= MAX_RICH_MENUS:
            raise LineError(400, "The maximum number of rich menus has been reached")
        rich_menu_id = "richmenu-" + uuid.uuid4().hex
        self.richmenus[rich_menu_id] = {"richMenuId": rich_menu_id, **call.body}
        return Reply(body={"richMenuId": rich_menu_id})

    def op_getRichMenu(self, call: Call) -> Reply:
        return Reply(body=self._menu(call.path_params["richMenuId"]))

    def op_getRichMenuList(self, call: Call) -> Reply:
        return Reply(body={"richmenus": list(self.richmenus.values())})

    def op_deleteRichMenu(self, call: Call) -> Reply:
        rich_menu_id = call.path_params["richMenuId"]
        self._menu(rich_menu_id)
        del self.richmenus[rich_menu_id]
        self.richmenu_images.pop(rich_menu_id, None)
        if self.default_richmenu_id == rich_menu_id:
            self.default_richmenu_id = None
        for user_id in [u for u, m in self.user_richmenus.items() if m == rich_menu_id]:
            del self.user_richmenus[user_id]
        for alias in [a for a, m in self.richmenu_aliases.items() if m == rich_menu_id]:
            del self.richmenu_aliases[alias]
        return Reply(body={})

    def op_setRichMenuImage(self, call: Call) -> Reply:
        rich_menu_id = call.path_params["richMenuId"]
        menu = self._menu(rich_menu_id)
        if rich_menu_id in self.richmenu_images:
            raise LineError(400, "An image has already been uploaded to the richmenu")
        if call.content_type not in ("image/png", "image/jpeg"):
            raise LineError(415, "Unsupported Media Type: use image/png or image/jpeg")
        if len(call.raw) > MAX_IMAGE_BYTES:
            raise LineError(400, "The image is larger than 1 MB")
        found = image_dimensions(call.raw)
        if found is None or found[0] != call.content_type:
            raise LineError(400, f"The request body is not a valid {call.content_type} image")
        _, width, height = found
        problems = rich_menu_size_problems(width, height, "image")
        expected = (menu["size"]["width"], menu["size"]["height"])
        if self.require_image_matches_size and (width, height) != expected:
            problems.append({"message": f"must be {expected[0]}x{expected[1]}, the size of the rich menu",
                             "property": "image"})
        if problems:
            raise LineError(400, "The image does not meet the rich menu image requirements", problems)
        self.richmenu_images[rich_menu_id] = RichMenuImage(call.content_type, width, height, call.raw)
        return Reply(body={})

    def op_getRichMenuImage(self, call: Call) -> Reply:
        image = self.richmenu_images.get(call.path_params["richMenuId"])
        if image is None:
            raise _not_found()
        return Reply(body=image.data, content_type=image.content_type)

    def op_setDefaultRichMenu(self, call: Call) -> Reply:
        rich_menu_id = call.path_params["richMenuId"]
        self._menu_with_image(rich_menu_id)
        self.default_richmenu_id = rich_menu_id
        return Reply(body={})

    def op_getDefaultRichMenuId(self, call: Call) -> Reply:
        if self.default_richmenu_id is None:
            raise LineError(404, "no default richmenu")
        return Reply(body={"richMenuId": self.default_richmenu_id})

    def op_cancelDefaultRichMenu(self, call: Call) -> Reply:
        self.default_richmenu_id = None
        return Reply(body={})

    def _link(self, user_ids, rich_menu_id: str) -> None:
        self._menu_with_image(rich_menu_id)
        self._check_ids(user_ids, "userIds", USER_ID)
        for user_id in user_ids:
            self.user_richmenus[user_id] = rich_menu_id

    def op_linkRichMenuIdToUser(self, call: Call) -> Reply:
        user_id = call.path_params["userId"]
        if self.strict_ids and not USER_ID.match(user_id):
            raise LineError(400, "The value for the 'userId' parameter is invalid")
        self._link([user_id], call.path_params["richMenuId"])
        return Reply(body={})

    def op_unlinkRichMenuIdFromUser(self, call: Call) -> Reply:
        self.user_richmenus.pop(call.path_params["userId"], None)
        return Reply(body={})

    def op_getRichMenuIdOfUser(self, call: Call) -> Reply:
        rich_menu_id = self.user_richmenus.get(call.path_params["userId"])
        if rich_menu_id is None:
            raise LineError(404, "the user has no richmenu")
        return Reply(body={"richMenuId": rich_menu_id})

    def op_linkRichMenuIdToUsers(self, call: Call) -> Reply:
        self._link(call.body["userIds"], call.body["richMenuId"])
        return Reply(status=202, body={})

    def op_unlinkRichMenuIdFromUsers(self, call: Call) -> Reply:
        for user_id in call.body["userIds"]:
            self.user_richmenus.pop(user_id, None)
        return Reply(status=202, body={})

    def op_createRichMenuAlias(self, call: Call) -> Reply:
        alias = call.body["richMenuAliasId"]
        if alias in self.richmenu_aliases:
            raise LineError(400, "conflict richmenu alias id")
        self._menu_with_image(call.body["richMenuId"])
        self.richmenu_aliases[alias] = call.body["richMenuId"]
        return Reply(body={})

    def op_updateRichMenuAlias(self, call: Call) -> Reply:
        alias = call.path_params["richMenuAliasId"]
        if alias not in self.richmenu_aliases:
            raise _not_found()
        self._menu_with_image(call.body["richMenuId"])
        self.richmenu_aliases[alias] = call.body["richMenuId"]
        return Reply(body={})

    def op_deleteRichMenuAlias(self, call: Call) -> Reply:
        if self.richmenu_aliases.pop(call.path_params["richMenuAliasId"], None) is None:
            raise _not_found()
        return Reply(body={})

    def op_getRichMenuAlias(self, call: Call) -> Reply:
        alias = call.path_params["richMenuAliasId"]
        if alias not in self.richmenu_aliases:
            raise _not_found()
        return Reply(body={"richMenuAliasId": alias, "richMenuId": self.richmenu_aliases[alias]})

    def op_getRichMenuAliasList(self, call: Call) -> Reply:
        return Reply(body={"aliases": [{"richMenuAliasId": a, "richMenuId": m}
                                       for a, m in sorted(self.richmenu_aliases.items())]})

    def op_validateRichMenuBatchRequest(self, call: Call) -> Reply:
        for index, operation in enumerate(call.body["operations"]):
            for key in ("from", "to"):
                if key in operation and operation[key] not in self.richmenus:
                    raise LineError(400, f"The property, 'operations[{index}].{key}', in the request body is invalid")
        return Reply(body={})

    def op_richMenuBatch(self, call: Call) -> Reply:
        self.op_validateRichMenuBatchRequest(call)
        for operation in call.body["operations"]:
            if operation["type"] == "link":
                for user_id in [u for u, m in self.user_richmenus.items() if m == operation["from"]]:
                    self.user_richmenus[user_id] = operation["to"]
            elif operation["type"] == "unlink":
                for user_id in [u for u, m in self.user_richmenus.items() if m == operation["from"]]:
                    del self.user_richmenus[user_id]
            else:  # unlinkAll
                self.user_richmenus.clear()
        self.batches[call.request_id] = time.time()
        return Reply(status=202, body={})

    def op_getRichMenuBatchProgress(self, call: Call) -> Reply:
        at = self.batches.get(call.query["requestId"][0])
        if at is None:
            raise _not_found()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S+09:00", time.localtime(at))
        return Reply(body={"phase": "succeeded", "acceptedTime": stamp, "completedTime": stamp})
