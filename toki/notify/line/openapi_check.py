"""Route and validate requests against LINE's Messaging API OpenAPI 3.0 document (used by localserver.py).

    spec = Spec.load()                               # toki/notify/line/openapi/messaging-api.yml
    operation, path_params = spec.route("POST", "/v2/bot/message/multicast")
    details = spec.validate_body(operation, {"to": [...], "messages": [...]})   # [] when valid

A small validator for the subset of OpenAPI 3.0 schema keywords that the LINE spec uses: `$ref` (local),
`type` (integer excludes booleans), `nullable`, `properties`, `required`, `additionalProperties` (as a schema),
`items`, `minItems`/`maxItems`, `minLength`/`maxLength`, `pattern`, `enum`, `minimum`/`maximum`, `format`
(`uri`, `date-time`, `int32`, `int64`, `uuid`), `allOf`, `oneOf`/`anyOf`, and `discriminator` with a mapping
(the `Message` → `TextMessage` style of inheritance, where the subtype lists the base in its `allOf`).
Unknown properties are accepted, as LINE accepts them. Error details follow LINE's error response: a list of
`{"message": ..., "property": "messages[0].text"}`.

LINE documents a few limits that the spec does not carry (developers.line.biz Messaging API reference); they
are added to the loaded schemas by `DOCUMENTED_LIMITS` (and `DOCUMENTED_PROPERTIES`, where the limit depends on
where the object sits: a quick-reply button's label) so that the local server enforces them too.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import yaml

SPEC_PATH = Path(__file__).resolve().parent / "openapi" / "messaging-api.yml"
# Other LINE API documents the local server also answers (same host, same token): the followers statistics.
INSIGHT_SPEC_PATH = Path(__file__).resolve().parent / "openapi" / "insight.yml"
HTTP_METHODS = ("get", "put", "post", "delete", "patch")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

# (schema name, property) → extra keywords; from the Messaging API reference, not in messaging-api.yml.
DOCUMENTED_LIMITS: dict[tuple[str, str], dict] = {
    ("TextMessage", "text"): {"minLength": 1, "maxLength": 5000},
    ("TextMessageV2", "text"): {"minLength": 1, "maxLength": 5000},
    ("FlexMessage", "altText"): {"minLength": 1, "maxLength": 1500},
    ("TemplateMessage", "altText"): {"minLength": 1, "maxLength": 1500},
    ("ImagemapMessage", "altText"): {"minLength": 1, "maxLength": 1500},
    ("FlexCarousel", "contents"): {"minItems": 1, "maxItems": 12},
    ("RichMenuRequest", "areas"): {"minItems": 1, "maxItems": 20},
    ("RichMenuRequest", "name"): {"minLength": 1},
    ("RichMenuRequest", "chatBarText"): {"minLength": 1},
}
# (schema name, property) → the property's whole schema, where a documented limit depends on where an object sits:
# a quick-reply button's action needs a label of at most 20 characters (a Flex button's may have 40).
DOCUMENTED_PROPERTIES: dict[tuple[str, str], dict] = {
    ("QuickReplyItem", "action"): {"allOf": [
        {"$ref": "#/components/schemas/Action"},
        {"type": "object", "required": ["label"],
         "properties": {"label": {"type": "string", "minLength": 1, "maxLength": 20}}},
    ]},
}
# Rich menu objects: every property is required by LINE ("size", "selected", "name", "chatBarText", "areas").
DOCUMENTED_REQUIRED: dict[str, list[str]] = {
    "RichMenuRequest": ["size", "selected", "name", "chatBarText", "areas"],
    "RichMenuSize": ["width", "height"],
    "RichMenuBounds": ["x", "y", "width", "height"],
    "RichMenuArea": ["bounds", "action"],
}


@dataclass(frozen=True)
class Detail:
    property: str
    message: str

    def as_json(self) -> dict:
        return {"message": self.message, "property": self.property}


@dataclass
class Operation:
    method: str
    template: str
    operation_id: str
    pattern: re.Pattern
    literal_segments: int
    body_media: dict = field(default_factory=dict)  # media type → schema
    body_required: bool = False
    parameters: list = field(default_factory=list)
    data_host: bool = False  # served by api-data.line.me in production

    @property
    def header_names(self) -> set[str]:
        return {p["name"].lower() for p in self.parameters if p.get("in") == "header"}

    @property
    def json_schema(self) -> dict | None:
        return self.body_media.get("application/json", {}).get("schema")


class RouteNotFound(LookupError):
    pass


class MethodNotAllowed(LookupError):
    pass


class Spec:
    def __init__(self, document: dict):
        self.document = document
        self.schemas: dict = document["components"]["schemas"]
        self._apply_documented_limits()
        self.operations: list[Operation] = []
        for template, item in document["paths"].items():
            shared = item.get("parameters", [])
            for method in HTTP_METHODS:
                if method in item:
                    self.operations.append(self._operation(method.upper(), template, item[method], shared))
        # A literal segment beats a template one: /v2/bot/richmenu/list is not getRichMenu("list").
        self.operations.sort(key=lambda op: -op.literal_segments)
        self.by_id = {op.operation_id: op for op in self.operations}

    @classmethod
    def load(cls, path: Path | str = SPEC_PATH, *more: Path | str) -> "Spec":
        """One document, or several merged (their paths and schemas; a name in two of them is refused)."""
        document = _read(path)
        for extra in more:
            added = _read(extra)
            for section, into in (("paths", document["paths"]),
                                  ("schemas", document.setdefault("components", {}).setdefault("schemas", {}))):
                found = added["paths"] if section == "paths" else added.get("components", {}).get("schemas", {})
                clash = sorted(set(found) & set(into))
                if clash:
                    raise ValueError(f"{extra}: {section} {', '.join(clash)} already defined in {path}")
                into.update(found)
        return cls(document)

    def _apply_documented_limits(self):
        for (name, prop), extra in DOCUMENTED_LIMITS.items():
            schema = self.schemas.get(name)
            if schema is None:
                continue
            target = _find_property(schema, prop)
            if target is not None:
                target.update(extra)
        for (name, prop), replacement in DOCUMENTED_PROPERTIES.items():
            properties = self.schemas.get(name, {}).get("properties", {})
            if prop in properties:
                properties[prop] = replacement
        for name, required in DOCUMENTED_REQUIRED.items():
            if name in self.schemas:
                self.schemas[name]["required"] = sorted(set(self.schemas[name].get("required", [])) | set(required))

    def _operation(self, method: str, template: str, raw: dict, shared: list) -> Operation:
        segments = template.strip("/").split("/")
        regex = "".join(
            "/(?P<%s>[^/]+)" % s[1:-1] if s.startswith("{") else "/" + re.escape(s) for s in segments  # noqa: UP031
        )
        body = raw.get("requestBody", {})
        return Operation(
            method=method,
            template=template,
            operation_id=raw["operationId"],
            pattern=re.compile("^" + regex + "$"),
            literal_segments=sum(not s.startswith("{") for s in segments),
            body_media=dict(body.get("content", {})),
            body_required=bool(body.get("required")),
            parameters=[self.resolve(p) for p in shared + raw.get("parameters", [])],
            data_host=any("api-data" in s.get("url", "") for s in raw.get("servers", [])),
        )

    def resolve(self, node: dict) -> dict:
        while "$ref" in node:
            node = self._ref(node["$ref"])
        return node

    def _ref(self, ref: str) -> dict:
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are supported: {ref}")
        node = self.document
        for part in ref[2:].split("/"):
            node = node[part]
        return node

    def route(self, method: str, path: str) -> tuple[Operation, dict]:
        allowed = False
        for op in self.operations:
            match = op.pattern.match(path)
            if match is None:
                continue
            if op.method == method:
                return op, match.groupdict()
            allowed = True
        raise MethodNotAllowed(path) if allowed else RouteNotFound(path)

    # --- parameters -------------------------------------------------------------------------------------------
    def validate_parameters(self, op: Operation, query: dict[str, list[str]], path_params: dict) -> list[Detail]:
        details = []
        for param in op.parameters:
            where, name = param.get("in"), param["name"]
            if where == "query":
                values = query.get(name)
                if not values:
                    if param.get("required"):
                        details.append(Detail(name, "must be specified"))
                    continue
                details += self._check_scalar_text(values[0], param.get("schema", {}), name)
            elif where == "path" and name in path_params:
                details += self._check_scalar_text(path_params[name], param.get("schema", {}), name)
        return details

    def _check_scalar_text(self, text: str, schema: dict, name: str) -> list[Detail]:
        schema = self.resolve(schema)
        value: object = text
        if schema.get("type") == "integer":
            try:
                value = int(text)
            except ValueError:
                return [Detail(name, "must be an integer")]
        errors: list[Detail] = []
        self._check(value, schema, name, errors, frozenset())
        return errors

    # --- bodies -----------------------------------------------------------------------------------------------
    def validate_body(self, op: Operation, body: object) -> list[Detail]:
        schema = op.json_schema
        if schema is None:
            return []
        errors: list[Detail] = []
        self._check(body, schema, "", errors, frozenset())
        return errors

    def validate_body_schema(self, value: object, schema: dict) -> list[Detail]:
        errors: list[Detail] = []
        self._check(value, schema, "", errors, frozenset())
        return errors

    def validate(self, value: object, schema_name: str) -> list[Detail]:
        """Validate against a named component schema (e.g. to check the local server's own responses)."""
        errors: list[Detail] = []
        self._check(value, {"$ref": f"#/components/schemas/{schema_name}"}, "", errors, frozenset())
        return errors

    def _check(self, value, schema: dict, prop: str, errors: list[Detail], dispatched: frozenset) -> None:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self._ref(schema["$ref"])
            disc = schema.get("discriminator")
            if disc and name not in dispatched and isinstance(value, dict):
                self._dispatch(value, schema, disc, name, prop, errors, dispatched)
                return
        if value is None:
            if not schema.get("nullable") and schema.get("type"):
                errors.append(Detail(prop, "must not be null"))
            return
        for sub in schema.get("allOf", ()):
            self._check(value, sub, prop, errors, dispatched)
        for keyword in ("oneOf", "anyOf"):
            if keyword in schema:
                self._check_alternatives(value, schema, keyword, prop, errors)
        kind = schema.get("type")
        if kind and not _is_type(value, kind):
            errors.append(Detail(prop, f"must be of type {kind}"))
            return
        if isinstance(value, dict):
            self._check_object(value, schema, prop, errors)
        elif isinstance(value, list):
            self._check_array(value, schema, prop, errors)
        elif isinstance(value, str):
            self._check_string(value, schema, prop, errors)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self._check_number(value, schema, prop, errors)
        if "enum" in schema and value not in schema["enum"]:
            errors.append(Detail(prop, f"Must be one of the following values: [{', '.join(map(str, schema['enum']))}]"))

    def _dispatch(self, value: dict, schema, disc, name, prop, errors, dispatched) -> None:
        key = disc["propertyName"]
        mapping = disc.get("mapping") or {}
        tag = value.get(key)
        where = _join(prop, key)
        if tag is None:
            errors.append(Detail(where, "must be specified"))
            return
        target = mapping.get(tag) if mapping else (f"#/components/schemas/{tag}" if tag in self.schemas else None)
        if target is None:
            errors.append(Detail(where, f"Must be one of the following values: [{', '.join(mapping)}]"))
            return
        if target.rsplit("/", 1)[-1] == name:  # a mapping onto the base itself
            self._check(value, {k: v for k, v in schema.items() if k != "discriminator"}, prop, errors, dispatched)
            return
        self._check(value, {"$ref": target}, prop, errors, dispatched | {name})

    def _check_alternatives(self, value, schema, keyword, prop, errors) -> None:
        passing = 0
        for sub in schema[keyword]:
            trial: list[Detail] = []
            self._check(value, sub, prop, trial, frozenset())
            passing += not trial
        if passing == 0 or (keyword == "oneOf" and passing > 1):
            errors.append(Detail(prop, f"must match {'exactly one' if keyword == 'oneOf' else 'at least one'} schema"))

    def _check_object(self, value: dict, schema: dict, prop: str, errors: list[Detail]) -> None:
        for name in schema.get("required", ()):
            if name not in value or value[name] is None:
                errors.append(Detail(_join(prop, name), "must be specified"))
        properties = schema.get("properties", {})
        for name, sub in properties.items():
            if name in value and value[name] is not None:
                self._check(value[name], sub, _join(prop, name), errors, frozenset())
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for name, item in value.items():
                if name not in properties:
                    self._check(item, extra, _join(prop, name), errors, frozenset())

    def _check_array(self, value: list, schema: dict, prop: str, errors: list[Detail]) -> None:
        low, high = schema.get("minItems"), schema.get("maxItems")
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            errors.append(Detail(prop, _size_message(low, high)))
        items = schema.get("items")
        if items is None:
            return
        if items.keys() <= _PLAIN_KEYS and items.get("type") in _TYPE_CHECKS:  # e.g. 500 user ids: a fast path
            check = _TYPE_CHECKS[items["type"]]
            errors.extend(Detail(f"{prop}[{index}]", f"must be of type {items['type']}")
                          for index, item in enumerate(value) if not check(item))
            return
        for index, item in enumerate(value):
            self._check(item, items, f"{prop}[{index}]", errors, frozenset())

    def _check_string(self, value: str, schema: dict, prop: str, errors: list[Detail]) -> None:
        low, high = schema.get("minLength"), schema.get("maxLength")
        if low and not value:
            errors.append(Detail(prop, "May not be empty"))
        elif (low is not None and len(value) < low) or (high is not None and len(value) > high):
            errors.append(Detail(prop, f"Length must be between {low or 0} and {high if high else '∞'}"))
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(Detail(prop, f'must match "{schema["pattern"]}"'))
        problem = _format_problem(value, schema.get("format"))
        if problem:
            errors.append(Detail(prop, problem))

    def _check_number(self, value, schema: dict, prop: str, errors: list[Detail]) -> None:
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(Detail(prop, f"must be greater than or equal to {schema['minimum']}"))
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(Detail(prop, f"must be less than or equal to {schema['maximum']}"))
        fmt = schema.get("format")
        if fmt == "int32" and not -(2**31) <= value < 2**31:
            errors.append(Detail(prop, "must be a 32-bit integer"))


def _read(path: Path | str) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506


def _find_property(schema: dict, prop: str) -> dict | None:
    if prop in schema.get("properties", {}):
        return schema["properties"][prop]
    for sub in schema.get("allOf", ()):
        if "$ref" not in sub:
            found = _find_property(sub, prop)
            if found is not None:
                return found
    return None


def _join(prop: str, name: str) -> str:
    return f"{prop}.{name}" if prop else name


def _size_message(low, high) -> str:
    if low is not None and high is not None:
        return f"Size must be between {low} and {high}"
    return f"Size must be at least {low}" if low is not None else f"Size must be at most {high}"


_TYPE_CHECKS = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
}
_PLAIN_KEYS = {"type", "description", "example"}


def _is_type(value, kind: str) -> bool:
    check = _TYPE_CHECKS.get(kind)
    return check is None or check(value)


def _format_problem(value: str, fmt: str | None) -> str | None:
    if fmt == "uri":
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https", "tel", "line", "mailto") or (
            parts.scheme.startswith("http") and not parts.netloc
        ):
            return "must be a valid URL"
    elif fmt == "uuid" and not _UUID.match(value):
        return "must be a UUID"
    elif fmt == "date-time":
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return "must be a date-time"
    return None
