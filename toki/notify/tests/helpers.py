"""Shared test data for notify: subscribers with made-up LINE user ids (never real ones)."""

import secrets

from toki.notify.models import Category, Channel, Subscriber


def line_user_id() -> str:
    return "U" + secrets.token_hex(16)


def subscriber(municipality, *, districts=(), language="ja", categories=None, test_audience=False, active=True,
               channel=Channel.LINE) -> Subscriber:
    sub = Subscriber.objects.create(
        municipality=municipality, channel=channel, address=line_user_id(), language=language,
        all_districts=not districts, categories=list(Category.values) if categories is None else categories,
        is_test_audience=test_audience, is_active=active,
    )
    if districts:
        sub.districts.set(districts)
    return sub
