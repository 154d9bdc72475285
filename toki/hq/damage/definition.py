"""Form definitions as data (docs/damage-reports.md): parse, validate and resolve a definition file, and the
pure helpers the rest of the app uses on a resolved definition (items in order, formulas, value checks).

A file is JSON in the format "toki-damage-form/1". A complete file lists units, groups, categories and items; a
variant file names the definition it `extends` and lists only what differs (`add_items`, `change_items`), so a
prefecture's form (兵庫県's 大規模半壊 row, 愛知県's 「一部損壊」) is a new file, never new code.

Nothing here touches the database: `resolve()` takes the base definition's spec when the file extends one.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property

from django.utils import translation

FORMAT = "toki-damage-form/1"
AGGREGATIONS = ("sum", "peak", "derived")
PARTS = (1, 2)
ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,79}$")
MAX_VALUE = Decimal("1e12")
ITEM_KEYS = {"id", "label", "group", "unit", "aggregation", "parts", "help", "formula"}


class DefinitionError(Exception):
    """Every problem found in a definition file, each as 'path: reason'."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


def _label_errors(value, path: str, *, required: bool = True) -> list[str]:
    if value is None and not required:
        return []
    if not isinstance(value, dict) or not isinstance(value.get("ja"), str) or not value["ja"].strip():
        return [f"{path}: give a Japanese text as {{\"ja\": \"…\", \"en\": \"…\"}}"]
    if any(not isinstance(v, str) for v in value.values()):
        return [f"{path}: every translation must be text"]
    return []


def parse_formula(formula) -> list[tuple[int, str]]:
    """'a + b - c' → [(1, 'a'), (1, 'b'), (-1, 'c')]. Only item ids joined by + and -."""
    if not isinstance(formula, str) or not formula.strip():
        raise ValueError("a derived item needs a formula such as \"a + b\"")
    tokens = re.findall(r"[+-]|[^\s+-]+", formula)
    terms, sign, expect_id, after_operator = [], 1, True, False
    for part in tokens:
        if part in ("+", "-"):
            if after_operator:
                raise ValueError(f"two operators in a row in {formula!r}")
            sign, expect_id, after_operator = (-1 if part == "-" else 1), True, True
            continue
        if not expect_id:
            raise ValueError(f"missing + or - before {part!r}")
        if not ID_RE.match(part):
            raise ValueError(f"{part!r} is not an item id")
        terms.append((sign, part))
        sign, expect_id, after_operator = 1, False, False
    if expect_id:
        raise ValueError(f"the formula {formula!r} ends with an operator")
    return terms


def _check_items(spec: dict) -> list[str]:
    errors = []
    units, groups = spec.get("units"), spec.get("groups")
    if not isinstance(units, dict) or not units:
        errors.append("units: give the units as {\"persons\": {\"ja\": \"人\", \"en\": \"persons\", \"decimals\": 0}}")
        units = {}
    for code, unit in units.items():
        errors += _label_errors({k: v for k, v in unit.items() if k != "decimals"} if isinstance(unit, dict)
                                else unit, f"units.{code}")
        if isinstance(unit, dict) and unit.get("decimals", 0) not in (0, 1, 2, 3):
            errors.append(f"units.{code}.decimals: 0 to 3")
    if not isinstance(groups, list) or not groups:
        errors.append("groups: give a list of {\"id\", \"label\"}")
        groups = []
    group_ids = set()
    for i, group in enumerate(groups):
        if not isinstance(group, dict) or not ID_RE.match(str(group.get("id", ""))):
            errors.append(f"groups[{i}].id: lower-case letters, digits and _")
            continue
        if group["id"] in group_ids:
            errors.append(f"groups[{i}].id: {group['id']!r} appears twice")
        group_ids.add(group["id"])
        errors += _label_errors(group.get("label"), f"groups[{i}].label")
    items = spec.get("items")
    if not isinstance(items, list) or not items:
        return [*errors, "items: give a non-empty list of items"]
    seen: dict[str, dict] = {}
    for i, item in enumerate(items):
        path = f"items[{i}]"
        if not isinstance(item, dict):
            errors.append(f"{path}: an item is an object")
            continue
        item_id = item.get("id")
        path = f"items[{i}] ({item_id})" if isinstance(item_id, str) else path
        if not isinstance(item_id, str) or not ID_RE.match(item_id):
            errors.append(f"{path}.id: lower-case letters, digits and _, starting with a letter")
            continue
        if item_id in seen:
            errors.append(f"{path}.id: {item_id!r} appears twice")
        seen[item_id] = item
        unknown = set(item) - ITEM_KEYS
        if unknown:
            errors.append(f"{path}: unknown field(s) {', '.join(sorted(unknown))}")
        errors += _label_errors(item.get("label"), f"{path}.label")
        errors += _label_errors(item.get("help"), f"{path}.help", required=False)
        if item.get("group") not in group_ids:
            errors.append(f"{path}.group: unknown group {item.get('group')!r} (known: {', '.join(sorted(group_ids))})")
        if item.get("unit") not in units:
            errors.append(f"{path}.unit: unknown unit {item.get('unit')!r} (known: {', '.join(sorted(units))})")
        if item.get("aggregation") not in AGGREGATIONS:
            errors.append(f"{path}.aggregation: {item.get('aggregation')!r} is not one of {', '.join(AGGREGATIONS)}")
        parts = item.get("parts")
        if not isinstance(parts, list) or not parts or any(p not in PARTS for p in parts):
            errors.append(f"{path}.parts: a list of 1 (その1) and/or 2 (その2)")
        if item.get("aggregation") == "derived":
            try:
                parse_formula(item.get("formula"))
            except ValueError as exc:
                errors.append(f"{path}.formula: {exc}")
        elif "formula" in item:
            errors.append(f"{path}.formula: only derived items have a formula")
    for item_id, item in seen.items():
        if item.get("aggregation") != "derived":
            continue
        try:
            terms = parse_formula(item.get("formula"))
        except ValueError:
            continue
        for _sign, ref in terms:
            if ref not in seen:
                errors.append(f"items ({item_id}).formula: unknown item {ref!r}")
            elif seen[ref].get("aggregation") == "peak":
                errors.append(f"items ({item_id}).formula: {ref!r} is a peak item; formulas add sums only")
    if not errors:
        try:
            derived_order(items)
        except ValueError as exc:
            errors.append(f"items: {exc}")
    errors += _check_categories(spec, seen)
    return errors


def _check_categories(spec: dict, items: dict) -> list[str]:
    errors = []
    categories = spec.get("categories")
    if not isinstance(categories, list) or not categories:
        return ["categories: give a list of {\"id\", \"label\", \"items\": [item ids]}"]
    seen = set()
    for i, category in enumerate(categories):
        if not isinstance(category, dict) or not ID_RE.match(str(category.get("id", ""))):
            errors.append(f"categories[{i}].id: lower-case letters, digits and _")
            continue
        path = f"categories[{i}] ({category['id']})"
        if category["id"] in seen:
            errors.append(f"{path}.id: appears twice")
        seen.add(category["id"])
        errors += _label_errors(category.get("label"), f"{path}.label")
        members = category.get("items")
        if not isinstance(members, list) or not members:
            errors.append(f"{path}.items: a non-empty list of item ids")
            continue
        for ref in members:
            if ref not in items:
                errors.append(f"{path}.items: unknown item {ref!r}")
            elif items[ref].get("aggregation") == "derived":
                errors.append(f"{path}.items: {ref!r} is derived and cannot be entered")
    return errors


def derived_order(items: list[dict]) -> list[str]:
    """Derived item ids in an order where each comes after the derived items its formula uses."""
    derived = {i["id"]: [ref for _s, ref in parse_formula(i["formula"])] for i in items
               if i.get("aggregation") == "derived"}
    order, state = [], {}

    def visit(item_id, trail):
        if state.get(item_id) == "done":
            return
        if state.get(item_id) == "visiting":
            raise ValueError(f"the formulas refer to each other in a circle: {' → '.join([*trail, item_id])}")
        state[item_id] = "visiting"
        for ref in derived[item_id]:
            if ref in derived:
                visit(ref, [*trail, item_id])
        state[item_id] = "done"
        order.append(item_id)

    for item_id in derived:
        visit(item_id, [])
    return order


def _apply_variant(doc: dict, base: dict) -> tuple[dict, list[str]]:
    """The base spec with the variant's `add_items` (each placed `after` an item, optionally appended to a
    `category`) and `change_items` (fields replaced per item id) applied."""
    errors = []
    items = [dict(item) for item in base["items"]]
    categories = [dict(c, items=list(c["items"])) for c in base["categories"]]
    index = {item["id"]: item for item in items}
    for item_id, changes in (doc.get("change_items") or {}).items():
        if item_id not in index:
            errors.append(f"change_items.{item_id}: the base definition has no such item")
        elif not isinstance(changes, dict) or set(changes) - (ITEM_KEYS - {"id"}):
            errors.append(f"change_items.{item_id}: an object of item fields (not id)")
        else:
            index[item_id].update(changes)
    for i, new in enumerate(doc.get("add_items") or []):
        if not isinstance(new, dict):
            errors.append(f"add_items[{i}]: an item is an object")
            continue
        new = dict(new)
        after, category = new.pop("after", None), new.pop("category", None)
        positions = [n for n, item in enumerate(items) if item["id"] == after]
        if not positions:
            errors.append(f"add_items[{i}].after: no item {after!r} to place it after")
            continue
        items.insert(positions[0] + 1, new)
        if category is not None:
            target = [c for c in categories if c["id"] == category]
            if not target:
                errors.append(f"add_items[{i}].category: unknown category {category!r}")
            else:
                target[0]["items"].append(new.get("id"))
    spec = {**base, "items": items, "categories": categories}
    for key in ("units", "groups", "categories"):
        if key in doc:
            spec[key] = doc[key]
    return spec, errors


def resolve(doc, *, base_spec: dict | None = None) -> dict:
    """Validate a parsed definition file and return the complete spec to store. Raises DefinitionError.

    `base_spec` is the stored spec of the definition named in `extends` (the caller looks it up)."""
    if not isinstance(doc, dict):
        raise DefinitionError(["(file): a definition is a JSON object"])
    errors = []
    if doc.get("format") != FORMAT:
        errors.append(f"format: expected {FORMAT!r}, found {doc.get('format')!r}")
    for key in ("code", "version"):
        if not isinstance(doc.get(key), str) or not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$", doc[key]):
            errors.append(f"{key}: letters, digits, '.', '_' and '-', at most 40")
    errors += _label_errors(doc.get("title"), "title")
    if errors:
        raise DefinitionError(errors)
    if doc.get("extends") is not None:
        if base_spec is None:
            raise DefinitionError([f"extends: the base definition {doc['extends']!r} is not loaded; load it first"])
        spec, errors = _apply_variant(doc, base_spec)
    else:
        spec = {key: doc.get(key) for key in ("units", "groups", "categories", "items")}
    spec = {"format": FORMAT, "code": doc["code"], "version": doc["version"], "title": doc["title"],
            "source": str(doc.get("source", "")), "extends": doc.get("extends"), **{
                key: spec[key] for key in ("units", "groups", "categories", "items")}}
    errors += _check_items(spec)
    if errors:
        raise DefinitionError(errors)
    return spec


def current_language() -> str:
    """The request's language as a definition file names it: "ja" for every Japanese variant, else the base code."""
    language = translation.get_language() or "ja"
    return "ja" if language.startswith("ja") else language.split("-")[0]


def localized(texts: dict | None, language: str) -> str:
    """A label, unit or help text of the definition in `language`, else in Japanese (which every label has)."""
    texts = texts or {}
    return texts.get(language) or texts.get("ja", "")


@dataclass(frozen=True)
class Item:
    id: str
    label: dict
    group: str
    unit: str
    aggregation: str
    parts: tuple
    help: dict
    formula: str = ""

    def text(self, field: str, language: str) -> str:
        return localized(getattr(self, field), language)


class Definition:
    """A resolved spec with the lookups the app needs. Build it with `Definition(spec)`."""

    def __init__(self, spec: dict):
        self.spec = spec
        self.items = [Item(id=i["id"], label=i["label"], group=i["group"], unit=i["unit"],
                           aggregation=i["aggregation"], parts=tuple(i["parts"]), help=i.get("help") or {},
                           formula=i.get("formula", "")) for i in spec["items"]]
        self.by_id = {item.id: item for item in self.items}
        self.units = spec["units"]
        self.groups = spec["groups"]
        self.categories = {c["id"]: c for c in spec["categories"]}

    @cached_property
    def derived_order(self) -> list[str]:
        return derived_order(self.spec["items"])

    @cached_property
    def formulas(self) -> dict[str, list[tuple[int, str]]]:
        return {item.id: parse_formula(item.formula) for item in self.items if item.aggregation == "derived"}

    def ids_with(self, aggregation: str) -> list[str]:
        return [item.id for item in self.items if item.aggregation == aggregation]

    def category_items(self, category: str) -> list[Item]:
        return [self.by_id[item_id] for item_id in self.categories[category]["items"]]

    def sources_of(self, item_id: str) -> list[str]:
        """The entered (sum/peak) items a derived item is computed from, followed through derived items."""
        if item_id not in self.formulas:
            return [item_id]
        found = []
        for _sign, ref in self.formulas[item_id]:
            found += [x for x in self.sources_of(ref) if x not in found]
        return found

    def derive(self, values: dict) -> dict:
        """`values` (entered items) completed with every derived item, in place; returned for convenience."""
        for item_id in self.derived_order:
            values[item_id] = sum((sign * values.get(ref, Decimal(0)) for sign, ref in self.formulas[item_id]),
                                  Decimal(0))
        return values

    def clean_counts(self, counts: dict, *, category: str | None = None) -> dict[str, Decimal]:
        """Check entered counts: known, enterable (and in `category` when given) item ids; non-negative numbers
        with at most the unit's decimals. Returns {item_id: Decimal}, zeros kept. Raises DefinitionError."""
        allowed = set(self.categories[category]["items"]) if category else {
            i.id for i in self.items if i.aggregation != "derived"}
        errors, clean = [], {}
        if not isinstance(counts, dict):
            raise DefinitionError(["counts: an object of {item id: number}"])
        for item_id, raw in counts.items():
            item = self.by_id.get(item_id)
            if item is None:
                errors.append(f"counts.{item_id}: unknown item")
                continue
            if item.aggregation == "derived":
                errors.append(f"counts.{item_id}: computed from other items, never entered")
                continue
            if item_id not in allowed:
                errors.append(f"counts.{item_id}: not an item of the category {category!r}")
                continue
            try:
                value = Decimal(str(raw).strip().replace(",", ""))
            except (InvalidOperation, ValueError):
                errors.append(f"counts.{item_id}: {raw!r} is not a number")
                continue
            decimals = self.units[item.unit].get("decimals", 0)
            if not value.is_finite() or value < 0:
                errors.append(f"counts.{item_id}: must be zero or more")
            elif value >= MAX_VALUE:
                errors.append(f"counts.{item_id}: too large")
            elif value != value.quantize(Decimal(1).scaleb(-decimals)):
                unit = self.units[item.unit]["ja"]
                errors.append(f"counts.{item_id}: {unit} allows {decimals} decimal place(s)")
            else:
                clean[item_id] = value
        if errors:
            raise DefinitionError(errors)
        return clean
