"""The one typed JSON API under /api/v1/. Each app adds its router here."""

from ninja import NinjaAPI, Schema

api = NinjaAPI(title="Toki API", version="1", urls_namespace="api")


class HealthOut(Schema):
    status: str


@api.get("/health", response=HealthOut, tags=["system"], summary="Liveness check for load balancers")
def health(request):
    return {"status": "ok"}
