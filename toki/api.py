"""The one typed JSON API under /api/v1/. Each app adds its router here."""

from ninja import NinjaAPI, Schema

api = NinjaAPI(title="Toki API", version="1", urls_namespace="api")


class HealthOut(Schema):
    status: str


@api.get("/health", response=HealthOut, tags=["system"], summary="Liveness check for load balancers")
def health(request):
    return {"status": "ok"}


def _add_routers() -> None:
    # Imported here: the app routers import models, which need the app registry ready.
    from toki.alerts.api import router as alerts_router
    from toki.hq.api import router as hq_router
    from toki.lifelines.api import router as lifelines_router
    from toki.notices.api import router as notices_router
    from toki.shelters.api import router as shelters_router

    api.add_router("/alerts", alerts_router)
    api.add_router("/lifelines", lifelines_router)
    api.add_router("/notices", notices_router)
    api.add_router("/hq", hq_router)
    api.add_router("/shelters", shelters_router)


_add_routers()
