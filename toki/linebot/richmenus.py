"""Toki's three LINE rich menus (防災メニュー, the English tourist menu, the 災害モード menu): their areas and
actions, and their images drawn with Pillow in the Noto Sans CJK font.

Images are 2500×1686 PNG (a size LINE allows: width 800–2500, height ≥ 250, width/height ≥ 1.45, ≤ 1 MB), in a
grid of 3×2 cells of at least 833×843 px, with labels of 150 px and more so they read on a small phone.
`toki.linebot.richmenu_sync` creates them through the Messaging API (`manage.py line_richmenus`).
"""

import hashlib
import io
import json
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 2500, 1686
COLUMNS, ROWS = 3, 2
MAX_IMAGE_BYTES = 1024 * 1024
NAME_PREFIX = "toki-"
# The font the menus are drawn in, shipped with the project (Noto Sans CJK JP Bold, SIL OFL 1.1, cut down to the
# menus' characters by bin/make-richmenu-font): the same images on every machine, no system font needed.
SHIPPED_FONT = Path(settings.BASE_DIR) / "static" / "fonts" / "richmenu" / "NotoSansCJKjp-Bold-richmenus.otf"
FONT_CANDIDATES = (  # (path, index in the collection): the Japanese face of Noto Sans CJK Bold first
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc", 0),
)


class FontMissing(Exception):
    """No font with Japanese glyphs: the menu would show empty boxes instead of words."""


@dataclass(frozen=True)
class Cell:
    title: str  # the big label
    subtitle: str  # the small second line (the other language)
    action: dict  # a Messaging API action object
    column: int
    row: int
    columns: int = 1  # how many grid columns the cell spans
    colour: str = "#1f4e79"
    text_colour: str = "#ffffff"


@dataclass(frozen=True)
class Menu:
    key: str  # normal / tourist / disaster
    chat_bar_text: str  # ≤ 14 characters
    cells: tuple[Cell, ...]
    banner: str = ""  # a strip across the top of the image (the disaster menu's warning)

    def request(self, name: str) -> dict:
        """The RichMenuRequest body (messaging-api.yml): size, areas with bounds and actions."""
        return {"size": {"width": WIDTH, "height": HEIGHT}, "selected": True, "name": name,
                "chatBarText": self.chat_bar_text, "areas": [{"bounds": _bounds(c), "action": c.action}
                                                             for c in self.cells]}

    def fingerprint(self, image: bytes) -> str:
        """Changes whenever the areas, actions or image change: the menu's name carries it, so an unchanged
        menu is found and kept instead of being created again."""
        definition = json.dumps(self.request(""), sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(definition + image).hexdigest()[:12]


def _bounds(cell: Cell) -> dict:
    cell_width, cell_height = WIDTH // COLUMNS, HEIGHT // ROWS
    x, y = cell.column * cell_width, cell.row * cell_height
    width = WIDTH - x if cell.column + cell.columns == COLUMNS else cell.columns * cell_width
    height = HEIGHT - y if cell.row == ROWS - 1 else cell_height
    return {"x": x, "y": y, "width": width, "height": height}


def _postback(data: str, display: str) -> dict:
    return {"type": "postback", "data": data, "displayText": display}


def _uri(name: str) -> dict:
    return {"type": "uri", "uri": settings.SITE_URL.rstrip("/") + reverse(name)}


def menus() -> list[Menu]:
    navy, teal, green, grey, red, amber = "#1f4e79", "#0f6e6e", "#2e6b30", "#4a4a4a", "#b3261e", "#ffd54f"
    normal = Menu("normal", "防災メニュー", (
        Cell("最新情報", "Latest", _postback("action=latest", "最新情報"), 0, 0, colour=navy),
        Cell("避難所", "Shelters", _postback("action=shelters", "避難所"), 1, 0, colour=green),
        Cell("ライフ\nライン", "Lifelines", _postback("action=lifelines", "ライフライン"), 2, 0, colour=teal),
        Cell("受信設定", "Settings", _postback("action=settings", "受信設定"), 0, 1, colour=grey),
        # Shared rides (issue 19): the booking conversation; 防災の備え stays a keyword (「備え」) and a portal page.
        Cell("のりあい\n予約", "Shared ride", _postback("action=ride", "のりあい予約"), 1, 1, colour=navy),
        Cell("Tourist", "English", _postback("action=tourist", "English"), 2, 1, colour=teal),
    ))
    tourist = Menu("tourist", "Menu", (
        Cell("Latest", "最新情報", _postback("action=latest", "Latest"), 0, 0, colour=navy),
        Cell("Shelters", "避難所", _postback("action=shelters", "Shelters"), 1, 0, colour=green),
        Cell("Lifelines", "Ferries, roads", _postback("action=lifelines", "Lifelines"), 2, 0, colour=teal),
        Cell("Settings", "Language, areas", _postback("action=settings", "Settings"), 0, 1, colour=grey),
        Cell("Visitors", "Safety guide", _uri("portal:tourist"), 1, 1, colour=navy),
        Cell("日本語", "Japanese", _postback("action=resident", "日本語"), 2, 1, colour=teal),
    ))
    disaster = Menu("disaster", "災害時メニュー", (
        Cell("近くの避難所", "Nearest shelters", _postback("action=shelters", "避難所"), 0, 0, columns=2,
             colour=red),
        Cell("避難情報", "Evacuation info", _postback("action=latest", "最新情報"), 2, 0, colour=amber,
             text_colour="#000000"),
        Cell("ライフ\nライン", "Lifelines", _postback("action=lifelines", "ライフライン"), 0, 1, colour=teal),
        Cell("災害情報\nサイト", "Website", _uri("portal:home"), 1, 1, colour=navy),
        Cell("English", "Tourist", _postback("action=tourist", "English"), 2, 1, colour=grey),
    ), banner="災害モード  DISASTER MODE")
    return [normal, tourist, disaster]


def menu_characters() -> set[str]:
    """Every character the menu images show (labels, second lines, banners)."""
    texts = [text for menu in menus() for cell in menu.cells for text in (cell.title, cell.subtitle)]
    texts += [menu.banner for menu in menus() if menu.banner]
    return set("".join(texts)) - {"\n"}


def find_font() -> tuple[str, int]:
    """(path, index) of the font to draw in: the shipped one (SHIPPED_FONT); without it (a checkout that lost
    it), a bold Japanese font of the system: Noto Sans CJK JP (fonts-noto-cjk), found by fontconfig or in the
    usual places. Raises FontMissing with what to do."""
    if SHIPPED_FONT.exists():
        return str(SHIPPED_FONT), 0
    fc_match = shutil.which("fc-match")
    if fc_match:
        result = subprocess.run([fc_match, "-f", "%{file}:%{index}", "Noto Sans CJK JP:style=Bold"],  # noqa: S603
                                capture_output=True, text=True, timeout=10, check=False)
        path, _colon, index = result.stdout.strip().rpartition(":")
        if path and "CJK" in path and Path(path).exists():
            return path, int(index or 0)
    for path, index in FONT_CANDIDATES:
        if Path(path).exists():
            return path, index
    raise FontMissing("no Noto Sans CJK font: install fonts-noto-cjk (apt-get install fonts-noto-cjk) or pass "
                      "--font with a TrueType/OpenType font that has Japanese glyphs")


@lru_cache(maxsize=64)
def _font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    """Loading a CJK collection takes a while; each (font, size) is loaded once per process."""
    return ImageFont.truetype(path, size, index=index)


def _fit(draw: ImageDraw.ImageDraw, text: str, font_file: tuple[str, int], size: int, max_width: int):
    """The largest font of at most `size` px in which `text` fits `max_width`."""
    path, index = font_file
    while True:
        font = _font(path, index, size)
        if draw.textlength(text, font=font) <= max_width or size <= 40:
            return font
        size -= 8


MIN_LABEL_PX = 150  # the documented smallest label (docs/line.md): a long label goes on two lines instead
LINE_SPACING = 1.1


def label_font(draw: ImageDraw.ImageDraw, cell: "Cell", font_file: tuple[str, int]):
    """The font of a cell's label: one size for all its lines (a label may be split in two with "\n"), the
    largest up to 200 px (double cells) or 170 px in which every line fits the tile."""
    inner = _bounds(cell)["width"] - 4 * 12 - 60
    start = 200 if cell.columns > 1 else 170
    return min((_fit(draw, line, font_file, start, inner) for line in cell.title.split("\n")), key=lambda f: f.size)


def render_image(menu: Menu, font_file: tuple[str, int]) -> bytes:
    """The menu's PNG: one coloured tile per cell with a big label (one or two lines) and a smaller second line,
    white gaps between tiles so each reads as a button."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "#ffffff")
    draw = ImageDraw.Draw(image)
    gap = 12
    for cell in menu.cells:
        b = _bounds(cell)
        box = (b["x"] + gap, b["y"] + gap, b["x"] + b["width"] - gap, b["y"] + b["height"] - gap)
        draw.rounded_rectangle(box, radius=36, fill=cell.colour)
        inner = b["width"] - 4 * gap - 60
        title = label_font(draw, cell, font_file)
        subtitle = _fit(draw, cell.subtitle, font_file, 100, inner)
        lines = cell.title.split("\n")
        step = round(title.size * LINE_SPACING)
        centre_x, centre_y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2 + 45 + (len(lines) - 1) * step / 2
        if menu.banner and cell.row == 0:
            centre_y += 65  # below the banner
        for number, line in enumerate(lines):
            baseline = centre_y - 50 - (len(lines) - 1 - number) * step
            draw.text((centre_x, baseline), line, font=title, fill=cell.text_colour, anchor="ms")
        draw.text((centre_x, centre_y + 110), cell.subtitle, font=subtitle, fill=cell.text_colour, anchor="ms")
    if menu.banner:
        font = _fit(draw, menu.banner, font_file, 90, WIDTH - 200)
        draw.rectangle((0, 0, WIDTH, 130), fill="#000000")
        draw.text((WIDTH / 2, 65), menu.banner, font=font, fill="#ffd54f", anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)
    data = out.getvalue()
    if len(data) > MAX_IMAGE_BYTES:
        raise ValueError(f"the {menu.key} menu image is {len(data)} bytes, over LINE's {MAX_IMAGE_BYTES}")
    return data
