"""Reading JMA's Atom PULL feeds: the feed parser (atom) and the HTTP client (http). No models, no database.

Storing what they yield is the job of `toki.alerts.actions.telegrams` (see docs/jma-feeds.md).
"""
