"""The local LINE server's followers statistics (GET /v2/bot/insight/followers, operation getNumberOfFollowers of
LINE's Insight API; toki/notify/line/openapi/insight.yml), answered from the friendships it was told about.

    line.follow(user_id, on=date(2026, 4, 3))   # added as a friend that day (LINE time, UTC+9)
    line.block(user_id, on=date(2026, 6, 1))    # blocked the account
    line.unblock(user_id, on=...)               # unblocked it (a follow after a block is an unblock too)
    line.insight_lag_days = 1                   # a day's figures are "ready" this many days after it

As LINE counts (developers.line.biz, "Get number of followers"): `followers` is every user who added the account
for the first time up to the day and never falls; `blocks` is the users blocking it that day; `targetedReaches`
the users reachable by demographic targeting, which here is every friend who does not block (the local server
knows every user's profile). `status` is "ready" with the figures, "unready" (no figures) for a day whose
statistics are not computed yet, "out_of_service" (no figures) for a day before LINE began counting. Without
`date` the day before today is answered (an assumption: LINE's reference does not say).
"""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from toki.notify.line.localserver_ops import Call, LineError, Reply

LINE_TIME = ZoneInfo("Asia/Tokyo")  # the API's dates are days in UTC+9
COUNTING_SINCE = date(2016, 11, 1)  # LINE: no follower statistics before this day
EVENTS = ("follow", "block", "unblock")


def line_today() -> date:
    return datetime.now(LINE_TIME).date()


class InsightOperations:
    """Mixed into LocalLineServer, which sets these (`friendship_log` in its reset())."""

    _lock: Any
    friends: set[str]
    blocked: set[str]
    friendship_log: list[tuple[date, str, str]]
    insight_lag_days: int

    def _log_friendship(self, user_id: str, event: str, on: date | None) -> None:
        if event not in EVENTS:
            raise ValueError(f"friendship event must be one of {', '.join(EVENTS)}, not {event!r}")
        with self._lock:
            self.friendship_log.append((on or line_today(), user_id, event))
            if event == "follow":
                self.friends.add(user_id)
                self.blocked.discard(user_id)
            elif event == "block":
                self.friends.add(user_id)
                self.blocked.add(user_id)
            else:
                self.blocked.discard(user_id)

    def follow(self, user_id: str, on: date | None = None) -> None:
        self._log_friendship(user_id, "follow", on)

    def block(self, user_id: str, on: date | None = None) -> None:
        self._log_friendship(user_id, "block", on)

    def unblock(self, user_id: str, on: date | None = None) -> None:
        self._log_friendship(user_id, "unblock", on)

    def followers_on(self, day: date) -> dict:
        """The answer for `day`, as GET /v2/bot/insight/followers?date=yyyyMMdd gives it."""
        if day < COUNTING_SINCE:
            return {"status": "out_of_service"}
        if day > line_today() - timedelta(days=self.insight_lag_days):
            return {"status": "unready"}
        followed: set[str] = set()
        blocking: set[str] = set()
        for on, user_id, event in sorted(self.friendship_log, key=lambda entry: entry[0]):
            if on > day:
                break
            if event == "follow":
                followed.add(user_id)
                blocking.discard(user_id)
            elif event == "block":
                followed.add(user_id)
                blocking.add(user_id)
            else:
                blocking.discard(user_id)
        return {"status": "ready", "followers": len(followed), "targetedReaches": len(followed - blocking),
                "blocks": len(blocking)}

    def op_getNumberOfFollowers(self, call: Call) -> Reply:
        text = (call.query.get("date") or [None])[0]
        if text is None:
            return Reply(body=self.followers_on(line_today() - timedelta(days=1)))
        try:
            day = datetime.strptime(text, "%Y%m%d").date()
        except ValueError:
            raise LineError(400, "The request has 1 error(s)",
                            [{"message": "must be a date in yyyyMMdd", "property": "date"}]) from None
        return Reply(body=self.followers_on(day))

    def configure_friendships(self, data: dict) -> None:
        """/__local__/config: {"friendships": [{"user": "U…", "event": "follow", "date": "2026-04-03"}, …],
        "insight_lag_days": 1}."""
        for entry in data.get("friendships") or []:
            self._log_friendship(entry["user"], entry["event"], date.fromisoformat(entry["date"]))
        if "insight_lag_days" in data:
            self.insight_lag_days = int(data["insight_lag_days"])
