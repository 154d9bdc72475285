"""What the notices app announces (toki.events, ADR 0007). Ids only; the portal subscribes (ADR 0005)."""

from toki.events.registry import declare

PUBLIC_NOTICE_CHANGED = declare("notices.public_notice_changed", ids=("notice_id",),
                                doc="what the public sees of a notice changed (published, withdrawn, or edited "
                                    "while published)")


def public_notice_changed(notice) -> None:
    from toki.events.outbox import publish

    publish(PUBLIC_NOTICE_CHANGED, municipality_id=notice.municipality_id, notice_id=notice.pk)
