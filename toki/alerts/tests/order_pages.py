"""Issuing an evacuation order through the staff pages as HQ does it: the empty form (which carries a fresh
idempotency key), the review step, the confirmation."""

ORDERS_URL = "/alerts/orders/"


def order_form_data(client, *, districts, level, hazard, reason, drill=False) -> dict:
    """The form's fields as a person fills them in, with the key of a freshly shown form."""
    page = client.get(ORDERS_URL)
    key = page.context["form"]["idempotency_key"].value()
    return {"districts": list(districts), "level": str(level), "hazard": hazard, "reason": reason,
            "is_drill": "drill" if drill else "real", "idempotency_key": str(key)}


def issue_through_pages(client, **fields):
    """Review, then confirm; returns the confirmation's response."""
    data = order_form_data(client, **fields)
    review = client.post(ORDERS_URL, {**data, "step": "review"})
    assert review.status_code == 200 and "review" in review.context, review.content[:500]
    return client.post(ORDERS_URL, {**data, "step": "confirm"})
