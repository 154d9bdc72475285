"""Reading and validating a municipality profile file (format: docs/areas.md).

Validation is complete before anything is written: `read_profile` either returns the parsed profile or raises a
`ProfileError` naming the file and the field path, e.g. `profiles/x.json: districts[3].centre: expected [lat, lon]
numbers`.
"""

import json
import re
from pathlib import Path

from toki.areas.models import Office
from toki.lib import geo

SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
# The languages of a term (the alert renderer's, toki.alerts.rendering.LANGUAGES) and the code systems a place term
# may be keyed by (the short systems of the alert facts, toki.alerts.rendering.common.SYSTEMS); a test keeps them equal.
TERM_LANGUAGES = ("ja", "ja-easy", "en", "zh-hans", "ko")
PLACE_SYSTEMS = frozenset({
    "city", "forecast_area", "earthquake_prefecture", "earthquake_region", "seismic_station", "epicenter",
    "tsunami_region", "tide_station", "text_place", "volcano", "river", "river_gauge", "amedas",
})


class ProfileError(ValueError):
    """The profile file is not usable; the message names the file and the field."""


def municipality_code_check_digit(first_five: str) -> int:
    """The check digit of a 全国地方公共団体コード (JIS X 0401/0402): weights 6..2, modulus 11."""
    total = sum(int(d) * w for d, w in zip(first_five, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def read_profile(path) -> dict:
    """Parse and validate the profile at `path`; raise ProfileError on the first problem found."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read profile: {exc}") from exc
    _Checker(path).profile(data)
    return data


class _Checker:
    def __init__(self, path: Path):
        self.path = path

    def fail(self, where: str, reason: str):
        raise ProfileError(f"{self.path}: {where}: {reason}")

    def text(self, obj: dict, key: str, where: str, *, required=True, max_length=200) -> None:
        value = obj.get(key)
        if value is None and not required:
            return
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(where, "required text" if required else "expected text")
        if len(value) > max_length:
            self.fail(where, f"longer than {max_length} characters")

    def lat_lon(self, value, where: str) -> None:
        if not (isinstance(value, list) and len(value) == 2
                and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)):
            self.fail(where, "expected [lat, lon] numbers")
        if not (-90 <= value[0] <= 90 and -180 <= value[1] <= 180):
            self.fail(where, f"{value} is not [lat, lon] (latitude first)")

    def geometry(self, value, where: str) -> None:
        problems = geo.polygon_geometry_errors(value)
        if problems:
            self.fail(where, problems[0])

    def profile(self, data) -> None:
        if not isinstance(data, dict):
            self.fail("(top level)", "expected a JSON object")
        code = data.get("code")
        if not (isinstance(code, str) and re.fullmatch(r"\d{6}", code)):
            self.fail("code", "expected the 6-digit 全国地方公共団体コード as a string, e.g. \"152242\"")
        if municipality_code_check_digit(code[:5]) != int(code[5]):
            self.fail("code", f"check digit is wrong: {code[:5]} gives {code[:5]}"
                              f"{municipality_code_check_digit(code[:5])}")
        self.text(data, "name", "name", max_length=100)
        self.text(data, "name_en", "name_en", required=False, max_length=100)
        self.text(data, "prefecture", "prefecture", max_length=20)
        self.jma_codes(data.get("jma_codes", {}), code)
        self.terms(data.get("terms", {}))
        website = data.get("website")
        if website is not None and not (isinstance(website, str) and re.fullmatch(r"https://[^\s\"<>]+", website)
                                        and len(website) <= 200):
            self.fail("website", "expected an https:// address (at most 200 characters)")
        if "ferry_operator" in data:
            self.term(data["ferry_operator"], "ferry_operator")
        self.text(data, "boundary_source", "boundary_source", required=False)
        if "outline" in data:
            self.geometry(data["outline"], "outline")
        districts = data.get("districts")
        if not isinstance(districts, list) or not districts:
            self.fail("districts", "expected a non-empty list")
        seen: dict[str, int] = {}
        for i, item in enumerate(districts):
            self.district(item, f"districts[{i}]", data.get("outline"))
            if item["code"] in seen:
                self.fail(f"districts[{i}].code", f"duplicate district code {item['code']!r} "
                                                  f"(first at districts[{seen[item['code']]}])")
            seen[item["code"]] = i
        offices = data.get("offices", [])
        if not isinstance(offices, list):
            self.fail("offices", "expected a list")
        names: set[str] = set()
        for i, item in enumerate(offices):
            self.office(item, f"offices[{i}]", seen, names)

    def jma_codes(self, codes, municipality_code: str) -> None:
        if not isinstance(codes, dict):
            self.fail("jma_codes", "expected an object of code lists")
        for kind, values in codes.items():
            if kind.endswith("_name"):
                if not isinstance(values, str):
                    self.fail(f"jma_codes.{kind}", "expected text")
                continue
            if not isinstance(values, list) or not all(isinstance(v, str) and v.isdigit() for v in values):
                self.fail(f"jma_codes.{kind}", "expected a list of digit strings, e.g. [\"1522400\"]")
        city = f"{municipality_code[:5]}00"
        for i, value in enumerate(codes.get("city", [])):
            if value != city:
                self.fail(f"jma_codes.city[{i}]", f"{value} does not match code {municipality_code} "
                                                  f"(expected {city})")

    def terms(self, terms) -> None:
        if not isinstance(terms, dict):
            self.fail("terms", "expected an object with \"places\" and \"offices\"")
        for key in terms:
            if key not in ("places", "offices"):
                self.fail(f"terms.{key}", "unknown key; expected \"places\" or \"offices\"")
        for group in ("places", "offices"):
            table = terms.get(group, {})
            if not isinstance(table, dict):
                self.fail(f"terms.{group}", "expected an object of terms by key")
            for key, entry in table.items():
                where = f"terms.{group}.{key}"
                if group == "places":
                    system, _colon, code = key.partition(":")
                    if system not in PLACE_SYSTEMS or not code.strip():
                        self.fail(where, f"expected \"<system>:<code>\" with a system of "
                                         f"{', '.join(sorted(PLACE_SYSTEMS))}")
                elif not key.strip() or len(key) > 100:
                    self.fail(where, "expected the office's Japanese name as the key")
                self.term(entry, where)

    def term(self, entry, where: str) -> None:
        if not isinstance(entry, dict):
            self.fail(where, f"expected an object with {', '.join(TERM_LANGUAGES)}")
        for language in TERM_LANGUAGES:
            self.text(entry, language, f"{where}.{language}", max_length=200)
        extra = sorted(set(entry) - set(TERM_LANGUAGES))
        if extra:
            self.fail(f"{where}.{extra[0]}", f"unknown language; expected {', '.join(TERM_LANGUAGES)}")

    def district(self, item, where: str, outline) -> None:
        if not isinstance(item, dict):
            self.fail(where, "expected an object")
        code = item.get("code")
        if not (isinstance(code, str) and SLUG.fullmatch(code) and len(code) <= 40):
            self.fail(f"{where}.code", "expected a slug of letters, digits, '-' or '_' (at most 40)")
        self.text(item, "name", f"{where}.name", max_length=50)
        self.text(item, "name_en", f"{where}.name_en", required=False, max_length=50)
        self.lat_lon(item.get("centre"), f"{where}.centre")
        seeds = item.get("seeds", [])
        if not isinstance(seeds, list):
            self.fail(f"{where}.seeds", "expected a list of [lat, lon]")
        for s, seed in enumerate(seeds):
            self.lat_lon(seed, f"{where}.seeds[{s}]")
        if "boundary" in item:
            self.geometry(item["boundary"], f"{where}.boundary")
            self.text(item, "boundary_source", f"{where}.boundary_source", required=False)
            return
        if outline is None:
            self.fail(f"{where}.boundary", "required when the profile has no outline to compute it from")
        for field, point in [("centre", item["centre"])] + [(f"seeds[{s}]", p) for s, p in enumerate(seeds)]:
            if not geo.point_in_geometry(point[0], point[1], outline):
                self.fail(f"{where}.{field}", f"{point} lies outside the outline")

    def office(self, item, where: str, districts: dict, names: set) -> None:
        if not isinstance(item, dict):
            self.fail(where, "expected an object")
        self.text(item, "name", f"{where}.name", max_length=100)
        if item["name"] in names:
            self.fail(f"{where}.name", f"duplicate office name {item['name']!r}")
        names.add(item["name"])
        if item.get("kind") not in Office.Kind.values:
            self.fail(f"{where}.kind", f"expected one of {', '.join(Office.Kind.values)}")
        self.text(item, "address", f"{where}.address", required=False)
        if item.get("district") is not None and item["district"] not in districts:
            self.fail(f"{where}.district", f"unknown district code {item['district']!r}")
