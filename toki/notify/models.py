"""Subscribers and the delivery outbox (issue 5)."""
