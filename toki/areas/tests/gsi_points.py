"""The 150 GSI shelter points of Sado (64 指定避難所 + 86 指定緊急避難場所), for the areas tests."""

import json
from pathlib import Path

from django.conf import settings

GSI_DIR = Path(settings.BASE_DIR) / "toki" / "demo" / "data"
GSI_FILES = ("shitei_hinanjo_152242.geojson", "shitei_kinkyu_hinanbasho_152242.geojson")


def gsi_points() -> list[tuple[str, float, float]]:
    """(name, lat, lon) of every feature of both files."""
    points = []
    for name in GSI_FILES:
        for feature in json.loads((GSI_DIR / name).read_text(encoding="utf-8"))["features"]:
            lon, lat = feature["geometry"]["coordinates"]
            points.append((feature["properties"]["施設・場所名"], lat, lon))
    return points
