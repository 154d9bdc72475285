"""Make a scenario's telegrams from JMA's official samples (docs/scenarios.md).

    python -m toki.alerts.scenarios.derive toki/alerts/scenarios/tsunami_day

reads `<scenario>/telegrams.yaml` and writes each telegram it lists beside it, with a comment at the top that names
the sample and every edit. The files are committed; run this again only after changing the recipes. Each recipe:

    03_warning.xml:
      sample: 32-39_12_07_250206_VTSE41.xml      # in /work/shared/data/jma/samples (shared/data/jma/samples)
      status: 通常                                 # Control/Status
      info_type: 取消                              # Head/InfoType
      report_at: 2016-09-01T07:26:00+09:00        # Head/ReportDateTime and TargetDateTime, Control/DateTime (UTC)
      valid_until: 2016-09-01T08:00:00+09:00      # Head/ValidDateTime
      event_id: "20160901071000"                  # Head/EventID
      serial: "2"                                 # Head/Serial
      office: 新潟地方気象台                        # Control/EditorialOffice and PublishingOffice
      head_title: 新潟県気象警報・注意報            # Head/Title
      headline: 佐渡市に大雨警報を発表しました。       # Head/Headline/Text
      rename: {"松江市/3220100": "佐渡市/1522400"}  # every <Name>…</Name><Code>…</Code> pair, head and body
      keep_warning_areas: ["1522400"]             # Body/Warning items of other areas dropped (empty Warnings too)
      drop: [MeteorologicalInfos]                 # Body elements dropped by local name; "HeadlineInformation"
                                                  # drops Head/Headline/Information
      kinds: {"1522400": [[大雨警報, "03", 発表, 大雨注意報, "10"]]}  # the item's kinds: name, code, status
                                                  # [, last name, last code]
      change_status: {"1522400": 警報・注意報種別に変化有}
      tsunami: {"341": [津波警報, "51", 津波注意報, "62"]}   # a tsunami region's category (and last category)
      body_text: 先ほどの、津波注意報を取り消します。   # the Body holds only this Text (a real 取消)
      keep_intensity_prefs: ["15"]                # Intensity/Observation/Pref of other prefectures dropped
      replace: [["<MaxInt>3</MaxInt>", "<MaxInt>4</MaxInt>"]]   # raw text, each must occur (first occurrence)
"""

import copy
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import yaml
from lxml import etree

SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "jma" / "samples"
JMX = "http://xml.kishou.go.jp/jmaxml1/"
IB = "http://xml.kishou.go.jp/jmaxml1/informationBasis1/"


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _find(root, path: list[str]):
    node = root
    for name in path:
        node = next((child for child in node if _local(child) == name), None)
        if node is None:
            return None
    return node


def _set(root, path: list[str], value: str) -> None:
    node = _find(root, path)
    if node is None:
        raise ValueError(f"no element {'/'.join(path)}")
    node.text = value


def _body(root):
    return _find(root, ["Body"])


def _kind(template, tag: str, name: str, code: str):
    element = etree.SubElement(template, f"{{{etree.QName(template).namespace}}}{tag}")
    for child, value in (("Name", name), ("Code", code)):
        etree.SubElement(element, f"{{{etree.QName(template).namespace}}}{child}").text = value
    return element


def _set_kinds(body, area_code: str, kinds: list[list[str]]) -> None:
    items = [item for warning in body if _local(warning) == "Warning" for item in warning
             if _find(item, ["Area", "Code"]) is not None and _find(item, ["Area", "Code"]).text == area_code]
    if not items:
        raise ValueError(f"no warning item for area {area_code}")
    for item in items:
        old = [child for child in item if _local(child) == "Kind"]
        position = list(item).index(old[0]) if old else 0
        for child in old:
            item.remove(child)
        ns = etree.QName(item).namespace
        for offset, spec in enumerate(kinds):
            kind = etree.Element(f"{{{ns}}}Kind")
            for tag, value in (("Name", spec[0]), ("Code", spec[1]), ("Status", spec[2])):
                etree.SubElement(kind, f"{{{ns}}}{tag}").text = value
            if len(spec) > 3:
                _kind(kind, "LastKind", spec[3], spec[4])
            item.insert(position + offset, kind)


def _set_change_status(body, area_code: str, value: str) -> None:
    for warning in body:
        for item in warning if _local(warning) == "Warning" else ():
            code = _find(item, ["Area", "Code"])
            status = _find(item, ["ChangeStatus"])
            if code is not None and code.text == area_code and status is not None:
                status.text = value


def _set_tsunami(body, region: str, spec: list[str]) -> None:
    forecast = _find(body, ["Tsunami", "Forecast"])
    for item in forecast if forecast is not None else ():
        code = _find(item, ["Area", "Code"])
        if code is None or code.text != region:
            continue
        category = _find(item, ["Category"])
        for child in list(category):
            category.remove(child)
        _kind(category, "Kind", spec[0], spec[1])
        if len(spec) > 2:
            _kind(category, "LastKind", spec[2], spec[3])
        return
    raise ValueError(f"no tsunami forecast item for region {region}")


def _keep_warning_areas(body, codes: set[str]) -> None:
    for warning in [w for w in body if _local(w) == "Warning"]:
        for item in [i for i in warning if _local(i) == "Item"]:
            code = _find(item, ["Area", "Code"])
            if code is None or code.text not in codes:
                warning.remove(item)
        if not any(_local(i) == "Item" for i in warning):
            body.remove(warning)


def derive(recipe: dict) -> tuple[bytes, list[str]]:
    """The telegram of a recipe and the list of edits made (for the comment)."""
    sample = recipe["sample"]
    text = (SAMPLES / sample).read_text(encoding="utf-8")
    edits = []
    for old_new, new in (recipe.get("rename") or {}).items():
        old_name, old_code = old_new.split("/")
        new_name, new_code = new.split("/")
        pattern = re.compile(rf"<Name>{re.escape(old_name)}</Name>(\s*)<Code>{re.escape(old_code)}</Code>")
        text, count = pattern.subn(rf"<Name>{new_name}</Name>\1<Code>{new_code}</Code>", text)
        if not count:
            raise ValueError(f"{sample}: area {old_new} not found")
        edits.append(f"area {old_name} ({old_code}) renamed {new_name} ({new_code}), {count}x")
    for old, new in recipe.get("replace") or []:
        if old not in text:
            raise ValueError(f"{sample}: {old!r} not found")
        text = text.replace(old, new, 1)
        edits.append(f"{old!r} replaced by {new!r}")
    root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(remove_blank_text=False))
    control, head = ["Control"], ["Head"]
    if "status" in recipe:
        _set(root, [*control, "Status"], recipe["status"])
        edits.append(f"Control/Status {recipe['status']}")
    if "office" in recipe:
        _set(root, [*control, "EditorialOffice"], recipe["office"])
        _set(root, [*control, "PublishingOffice"], recipe["office"])
        edits.append(f"office {recipe['office']}")
    if "report_at" in recipe:
        at = datetime.fromisoformat(str(recipe["report_at"]))
        _set(root, [*control, "DateTime"], at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        _set(root, [*head, "ReportDateTime"], at.isoformat())
        if _find(root, [*head, "TargetDateTime"]) is not None:
            _set(root, [*head, "TargetDateTime"], at.isoformat())
        edits.append(f"report time {at.isoformat()}")
    for key, path in (("valid_until", "ValidDateTime"), ("event_id", "EventID"), ("serial", "Serial"),
                      ("info_type", "InfoType"), ("head_title", "Title")):
        if key in recipe:
            value = recipe[key]
            value = value.isoformat() if isinstance(value, datetime) else str(value)
            _set(root, [*head, path], value)
            edits.append(f"Head/{path} {value}")
    if "headline" in recipe:
        _set(root, [*head, "Headline", "Text"], recipe["headline"])
        edits.append("Head/Headline/Text rewritten")
    body = _body(root)
    if "keep_warning_areas" in recipe:
        _keep_warning_areas(body, set(recipe["keep_warning_areas"]))
        edits.append(f"Body/Warning items of areas other than {', '.join(recipe['keep_warning_areas'])} dropped")
    if "keep_intensity_prefs" in recipe:
        observation = _find(body, ["Intensity", "Observation"])
        for pref in [p for p in observation if _local(p) == "Pref"]:
            if _find(pref, ["Code"]).text not in recipe["keep_intensity_prefs"]:
                observation.remove(pref)
        edits.append(f"Intensity/Observation/Pref other than {', '.join(recipe['keep_intensity_prefs'])} dropped")
    for name in recipe.get("drop", []):
        if name == "HeadlineInformation":
            headline = _find(root, [*head, "Headline"])
            for info in [c for c in headline if _local(c) == "Information"]:
                headline.remove(info)
        else:
            for element in [e for e in body.iter() if _local(e) == name]:
                element.getparent().remove(element)
        edits.append(f"{name} dropped")
    for area, kinds in (recipe.get("kinds") or {}).items():
        _set_kinds(body, area, kinds)
        edits.append(f"kinds of {area}: " + "; ".join(f"{k[0]} ({k[1]}) {k[2]}" for k in kinds))
    for area, value in (recipe.get("change_status") or {}).items():
        _set_change_status(body, area, value)
        edits.append(f"ChangeStatus of {area}: {value}")
    for region, spec in (recipe.get("tsunami") or {}).items():
        _set_tsunami(body, region, spec)
        edits.append(f"tsunami region {region}: {spec[0]} ({spec[1]})" + (f", last {spec[2]}" if len(spec) > 2 else ""))
    if "body_text" in recipe:
        for child in list(body):
            body.remove(child)
        etree.SubElement(body, f"{{{etree.QName(body).namespace}}}Text").text = recipe["body_text"]
        edits.append("Body reduced to its Text (as a real 取消)")
    xml = etree.tostring(copy.deepcopy(root), encoding="unicode")
    return xml, edits


def comment(name: str, sample: str, edits: list[str]) -> str:
    lines = [f"SYNTHETIC scenario telegram {name}: JMA's official sample {sample} (shared/data/jma/samples),",
             "edited for Sado (toki/alerts/scenarios/derive.py, recipe in telegrams.yaml beside this file):",
             *(f"  - {edit}" for edit in edits)]
    return "<!--\n" + "\n".join(line.replace("--", "-") for line in lines) + "\n-->"


def write_scenario(directory: Path) -> list[Path]:
    recipes = yaml.safe_load((directory / "telegrams.yaml").read_text(encoding="utf-8")) or {}
    written = []
    for name, recipe in recipes.items():
        xml, edits = derive(recipe)
        path = directory / name
        path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + comment(name, recipe["sample"], edits) + "\n"
                        + xml + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        for path in write_scenario(Path(argument)):
            print(path)
