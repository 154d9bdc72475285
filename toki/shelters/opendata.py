"""The shelter master as open data: the Digital Agency's 自治体標準オープンデータセット 指定緊急避難場所一覧 CSV
(column order as in the reference, reference/shelters.md §6.2) and GeoJSON with the same properties.

Licence: the master derives from the GSI data, so exports carry its attribution (出典：国土地理院).
"""

import io

from toki.lib.spreadsheet import csv_dict_writer
from toki.shelters.models import HAZARDS, Shelter, ShelterDesignation

ATTRIBUTION = "出典：国土地理院 指定緊急避難場所・指定避難所データ（佐渡市データを Toki が加工）"

STANDARD_COLUMNS = [
    "全国地方公共団体コード", "ID", "名称", "名称_カナ", "名称_英字", "所在地_全国地方公共団体コード", "町字ID",
    "所在地_連結表記", "所在地_都道府県", "所在地_市区町村", "所在地_町字", "所在地_番地以下", "建物名等(方書)",
    "緯度", "経度", "標高", "電話番号", "内線番号", "連絡先メールアドレス", "連絡先FormURL",
    "連絡先備考（その他、SNSなど）", "郵便番号", "市区町村コード", "地方公共団体名",
    *[f"災害種別_{label}" for _field, label in HAZARDS],
    "指定避難所との重複", "想定収容人数", "対象となる町会・自治会", "URL", "画像", "画像_ライセンス", "備考",
]


def listing_id(shelter: Shelter) -> str:
    """The ID the 指定緊急避難場所一覧 knows the site by: its emergency-site listing's (one row per site, issue 14
    item 2; a site designated both ways is listed under its 指定緊急避難場所 共通ID), else the site's own."""
    emergency = [d.common_id for d in shelter.designations.all() if d.kind == ShelterDesignation.Kind.EMERGENCY_SITE]
    return min(emergency) if emergency else shelter.common_id


def standard_row(shelter: Shelter, municipality) -> dict[str, str]:
    """One 指定緊急避難場所一覧 row per site; columns Toki does not hold are left empty, as the standard allows."""
    row = dict.fromkeys(STANDARD_COLUMNS, "")
    row.update({
        "全国地方公共団体コード": municipality.code,
        "ID": listing_id(shelter),
        "名称": shelter.name,
        "名称_カナ": shelter.name_kana,
        "所在地_全国地方公共団体コード": municipality.code,
        "所在地_連結表記": shelter.address,
        "所在地_都道府県": municipality.prefecture,
        "所在地_市区町村": municipality.name,
        "緯度": f"{shelter.lat:.6f}",
        "経度": f"{shelter.lon:.6f}",
        "電話番号": shelter.phone,
        "市区町村コード": municipality.code,
        "地方公共団体名": f"{municipality.prefecture}{municipality.name}",
        "指定避難所との重複": "1" if shelter.is_designated_shelter or shelter.shares_site_with_other_designation
        else "",
        "想定収容人数": f"{shelter.capacity}人" if shelter.capacity else "",
        "備考": shelter.notes,
    })
    for field, label in HAZARDS:
        row[f"災害種別_{label}"] = "1" if getattr(shelter, field) else ""
    return row


def standard_csv(shelters, municipality) -> str:
    """UTF-8 CSV text (with BOM when written by the view, so spreadsheet programs read the Japanese right)."""
    out = io.StringIO()
    writer = csv_dict_writer(out, STANDARD_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for shelter in shelters:
        writer.writerow(standard_row(shelter, municipality))
    return out.getvalue()


def geojson(shelters, municipality) -> dict:
    """A FeatureCollection of Points ([lon, lat]) with the standard columns as properties."""
    features = []
    for shelter in shelters:
        properties = standard_row(shelter, municipality)
        properties.pop("緯度"), properties.pop("経度")
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [shelter.lon, shelter.lat]},
            "properties": {**properties, "district": shelter.district.code if shelter.district else None},
        })
    return {"type": "FeatureCollection", "name": f"shelters_{municipality.code}", "attribution": ATTRIBUTION,
            "features": features}
