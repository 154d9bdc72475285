"""What the community app announces (toki.events, ADR 0007). Ids only."""

from toki.events.registry import declare

SAFETY_REPLY_RECORDED = declare(
    "community.safety_reply_recorded", ids=("reply_id", "household_id"),
    doc="a household answered 無事です / 助けが必要 on its tablet (or a family member for it); the registry's 安否確認 "
        "and the HQ board read it")
CIRCULAR_PUBLISHED = declare("community.item_published", ids=("item_id",),
                             doc="a newsletter issue, circular or event notice was published to household tablets")
WATCH_FLAG_RAISED = declare("community.watch_flag_raised", ids=("flag_id", "household_id"),
                            doc="a watch-over household gave no sign for its time (message) or longer (call list)")


def publish_event(name: str, municipality_id: int, **ids) -> None:
    from toki.events.outbox import publish

    publish(name, municipality_id=municipality_id, **ids)
