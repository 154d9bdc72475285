"""The one typed JSON API under /api/v1/. Each app adds its router here.

Two things hold for every endpoint, whoever writes the next one (issue 13, findings 10 and 14):
- every JSON body is read with a depth limit (`toki.lib.bounded.loads`): a 400 naming the problem, never a 500;
- the OpenAPI schema documents the answers every endpoint can give besides its own: 400 (unreadable body), 401
  (not logged in, on endpoints that need it), 403 (CSRF refused), 404 (not found, or not yours), 422 (the
  validation errors in the body ninja really sends, or one message for a check the endpoint makes itself).
  `document_common_answers` adds them to each operation; the schemathesis run (`toki/tests/test_api_fuzz.py`)
  checks that every answer matches the schema.
"""

from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.parser import Parser

from toki.lib import bounded

# Bodies read with a deeper limit than MAX_JSON_DEPTH, by URL name: the shelter tablet's sync batch validates each
# event on its own (toki.shelters.actions.payloads: a payload deeper than 6 levels is that event's rejection,
# and the rest of the batch goes on), so one malformed event must not make the whole batch unreadable here
# (issue 13, finding 6). The parser still refuses what json cannot read (a RecursionError) with a 400.
DEEP_BODY_URL_NAMES = {"shelters_sync_events": 2000}


class BoundedParser(Parser):
    def parse_body(self, request: HttpRequest):
        match = getattr(request, "resolver_match", None)
        limit = DEEP_BODY_URL_NAMES.get(getattr(match, "url_name", ""), bounded.MAX_JSON_DEPTH)
        return bounded.loads(request.body, max_depth=limit)


class ErrorOut(Schema):
    detail: str


class ValidationErrorItem(Schema):
    type: str
    loc: list[str | int]
    msg: str


class ValidationErrorOut(Schema):
    detail: list[ValidationErrorItem]


COMMON_ANSWERS = {
    "400": ("The body is not JSON, or nested too deeply", "ErrorOut"),
    "401": ("Not logged in", "ErrorOut"),
    "403": ("Refused: the CSRF check failed", "ErrorOut"),
    "404": ("Not found, or not visible to this user", "ErrorOut"),
    "422": ("A parameter or a body field is invalid; `loc` names it", ("ValidationErrorOut", "ErrorOut")),
}


def _ref(names: str | tuple[str, ...]) -> dict:
    if isinstance(names, tuple):
        return {"anyOf": [_ref(name) for name in names]}
    return {"$ref": f"#/components/schemas/{names}"}


def document_common_answers(schema: dict) -> dict:
    """Add the common error answers to every operation of an OpenAPI schema (in place; returned)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorOut, ValidationErrorItem, ValidationErrorOut):
        body = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in body.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components.setdefault(model.__name__, body)
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            needs_login = bool(operation.get("security"))
            has_input = bool(operation.get("parameters") or operation.get("requestBody"))
            # ninja keys an operation's own answers by int (422), the JSON by string ("422"): one key each.
            answers = operation["responses"] = {str(k): v for k, v in operation.get("responses", {}).items()}
            wanted = {"404"}
            if has_input:
                wanted.add("422")
            if "requestBody" in operation:
                wanted.add("400")
            if needs_login:
                wanted.add("401")
                if method in ("post", "put", "patch", "delete"):
                    wanted.add("403")
            for status in sorted(wanted):
                description, model = COMMON_ANSWERS[status]
                common = _ref(model)
                if status in answers:  # the endpoint declares its own body (e.g. 422 {"errors": {...}}): either
                    own = answers[status].get("content", {}).get("application/json", {}).get("schema")
                    if own and own != common:
                        either = [own, *common.get("anyOf", [common])]
                        answers[status]["content"]["application/json"]["schema"] = {"anyOf": either}
                    continue
                answers[status] = {"description": description,
                                   "content": {"application/json": {"schema": common}}}
    return schema


class TokiAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        return document_common_answers(super().get_openapi_schema(path_prefix=path_prefix,
                                                                  path_params=path_params))


api = TokiAPI(title="Toki API", version="1", urls_namespace="api", parser=BoundedParser())


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    detail = str(exc)
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):  # unreadable body: say why
        detail = f"body: {exc.__cause__}"
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


class HealthOut(Schema):
    status: str


@api.get("/health", response=HealthOut, tags=["system"], summary="Liveness check for load balancers")
def health(request):
    return {"status": "ok"}


def _add_routers() -> None:
    # Imported here: the app routers import models, which need the app registry ready.
    from toki.alerts.api import router as alerts_router
    from toki.hq.api import router as hq_router
    from toki.hq.damage.api import router as damage_router
    from toki.lifelines.api import router as lifelines_router
    from toki.notices.api import router as notices_router
    from toki.shelters.api import router as shelters_router
    from toki.transport.rides.api import router as rides_router

    api.add_router("/alerts", alerts_router)
    api.add_router("/lifelines", lifelines_router)
    api.add_router("/notices", notices_router)
    api.add_router("/hq", hq_router)
    # Damage reports and the 第4号様式 (toki/hq/damage) under /hq/damage/, mounted here and not by hq's router:
    # the nested app reads hq, so hq never imports it (no cycle). The tags are those it had as hq's sub-router.
    api.add_router("/hq/damage", damage_router, tags=["hq", "hq-damage"])
    api.add_router("/shelters", shelters_router)
    api.add_router("/rides", rides_router)


_add_routers()
