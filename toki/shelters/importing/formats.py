"""The three formats Toki reads, recognised by their columns, and how their cells map to Shelter fields.

- GSI 指定緊急避難場所・指定避難所データ (GeoJSON, or CSV with 緯度/経度): two schemas, 指定避難所 and 指定緊急避難場所.
- デジタル庁 自治体標準オープンデータセット 指定緊急避難場所一覧 (CSV).
Column names follow docs/shelter-import.md and /work/shared/reference/shelters.md §6.
"""

from dataclasses import dataclass

from toki.shelters.importing.rows import RowReader, column_key, parse_capacity
from toki.shelters.models import HAZARDS, Shelter

TEXT = 2000  # notes and other free text


@dataclass(frozen=True)
class Format:
    label: str  # for messages and the audit trail
    source: str  # Shelter.source
    kind: str  # "gsi-shelter", "gsi-emergency" or "standard-emergency"
    id_column: str = "共通ID"
    lat_column: str = "緯度"
    lon_column: str = "経度"


def detect(table_kind: str, keys: set[str]) -> Format | None:
    """The format of a table with these column keys, or None when Toki does not know it."""
    def has(*names):
        return all(column_key(n) in keys for n in names)

    medium = "GeoJSON" if table_kind == "geojson" else "CSV"
    source = Shelter.Source.GSI_GEOJSON if table_kind == "geojson" else Shelter.Source.GSI_CSV
    if has("共通ID", "施設・場所名"):
        if any(has(label) for _, label in HAZARDS):
            return Format(f"GSI {medium} 指定緊急避難場所", source, "gsi-emergency")
        if has("受入対象者") or has("指定緊急避難場所との住所同一"):
            return Format(f"GSI {medium} 指定避難所", source, "gsi-shelter")
    if table_kind == "csv" and has("名称", "所在地_連結表記") and any(has(f"災害種別_{lb}") for _, lb in HAZARDS):
        return Format("標準オープンデータ 指定緊急避難場所一覧 CSV", Shelter.Source.STANDARD_CSV, "standard-emergency",
                      id_column="ID")
    return None


def required_columns(fmt: Format, table_kind: str) -> list[str]:
    """Columns that must exist in the header (their cells may still be checked row by row)."""
    if fmt.kind == "standard-emergency":
        return ["ID", "名称", "所在地_連結表記", "緯度", "経度"]
    return ["共通ID", "施設・場所名"] + (["緯度", "経度"] if table_kind == "csv" else [])


def fields_of(fmt: Format, reader: RowReader, municipality) -> tuple[str, dict]:
    """The 共通ID and the Shelter fields of one record (problems are recorded on the reader)."""
    if fmt.kind == "standard-emergency":
        return _standard(reader, municipality)
    return _gsi(fmt, reader, municipality)


def _gsi(fmt: Format, reader: RowReader, municipality) -> tuple[str, dict]:
    common_id = reader.text("共通ID", max_length=40, required=True)
    place = reader.raw("都道府県名及び市町村名")
    expected = f"{municipality.prefecture}{municipality.name}"
    if place and place != expected:
        reader.fail("都道府県名及び市町村名", f"{place!r} is not {expected} (import one municipality per file)")
    fields = {
        "name": reader.text("施設・場所名", max_length=200, required=True),
        "address": reader.text("住所", max_length=300),
        "notes": reader.text("備考", max_length=TEXT),
    }
    if fmt.kind == "gsi-emergency":
        fields["is_emergency_site"] = True
        fields["shares_site_with_other_designation"] = reader.flag("指定避難所との住所同一")
        fields.update({field: reader.flag(label) for field, label in HAZARDS})
    else:
        fields["is_designated_shelter"] = True
        fields["shares_site_with_other_designation"] = reader.flag("指定緊急避難場所との住所同一")
        fields["accepted_people"] = reader.text("受入対象者", max_length=300)
        other = reader.text("その他市町村長が必要と認める事項", max_length=TEXT)
        if other:
            fields["notes"] = "\n".join(filter(None, [fields["notes"], f"その他市町村長が必要と認める事項: {other}"]))
    return common_id, fields


def _standard(reader: RowReader, municipality) -> tuple[str, dict]:
    common_id = reader.text("ID", max_length=40, required=True)
    code = reader.raw("全国地方公共団体コード")
    if code and code != municipality.code:
        reader.fail("全国地方公共団体コード", f"{code} is not {municipality.code} ({municipality.name})")
    address = reader.raw("所在地_連結表記") or "".join(
        reader.raw(c) for c in ("所在地_都道府県", "所在地_市区町村", "所在地_町字", "所在地_番地以下"))
    building = reader.raw("建物名等(方書)")
    if building and building not in address:
        address = f"{address} {building}".strip()
    if not address:
        reader.fail("所在地_連結表記", "required, but empty")
    elif len(address) > 300:
        reader.fail("所在地_連結表記", "longer than 300 characters")
    phone = reader.text("電話番号", max_length=40)
    extension = reader.text("内線番号", max_length=15)
    notes = reader.text("備考", max_length=TEXT)
    capacity_text = reader.text("想定収容人数", max_length=200)
    capacity = parse_capacity(capacity_text)
    if capacity_text and capacity is None:
        notes = "\n".join(filter(None, [notes, f"想定収容人数: {capacity_text}"]))
    also_shelter = reader.flag("指定避難所との重複")
    fields = {
        "name": reader.text("名称", max_length=200, required=True),
        "name_kana": reader.text("名称_カナ", max_length=200),
        "address": address,
        "phone": f"{phone} 内線{extension}" if phone and extension else phone,
        "is_emergency_site": True,
        "is_designated_shelter": also_shelter,
        "shares_site_with_other_designation": also_shelter,
        "capacity": capacity,
        "notes": notes,
    }
    fields.update({field: reader.flag(f"災害種別_{label}") for field, label in HAZARDS})
    return common_id, fields
