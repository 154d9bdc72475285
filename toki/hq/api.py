"""JSON API router of this app (mounted in toki/api.py)."""

from ninja import Router

router = Router()

# Damage reports and the 第4号様式 (toki/hq/damage): /api/v1/hq/damage/…
from toki.hq.damage.api import router as damage_router  # noqa: E402

router.add_router("/damage", damage_router)
