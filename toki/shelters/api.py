"""JSON API router of this app (mounted in toki/api.py)."""

from ninja import Router

router = Router()
