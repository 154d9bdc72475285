"""The Excel file of an issued report (第N報) in the layout of the 第4号様式: sheet その1 (災害概況即報), sheet その2
(被害状況即報) and a sheet 地区別 with the same numbers by district. Drills are marked 【訓練】 on every sheet.

The two official sheets carry only the form's own wording (issue 14 item 11): Toki's notes on how a figure is made
(自動計算, 最大時) and the form definition's code (fdma-4 R8) are on the 地区別 sheet and in the file's properties.

Generated from the report's definition and frozen snapshot only: the file of a 第N報 never changes.
"""

import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from toki.hq.damage.aggregate import Aggregate
from toki.lib.spreadsheet import set_cell

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="E8E8E8")
DRILL = "【訓練】"
FIRST_REPORT_NOTE = ("第一報については、原則として、覚知後30分以内で可能な限り早く、分かる範囲で記載して報告すること。"
                     "（確認がとれていない事項については、確認がとれていない旨（「未確認」等）を記入して報告すれば足りる。）")
NOTE_LABELS = (("place", "発生場所"), ("occurred", "発生日時"), ("overview", "災害の概況"),
               ("response", "応急対策の状況"))


def _when(value) -> str:
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{local.year}年{local.month}月{local.day}日 {local.hour}時{local.minute:02d}分"


def _number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def _cell(sheet, row, column, value, *, bold=False, fill=None, border=True, wrap=False, align=None):
    cell = set_cell(sheet, row, column, value)
    if bold:
        cell.font = Font(bold=True)
    if fill:
        cell.fill = fill
    if border:
        cell.border = BOX
    cell.alignment = Alignment(wrap_text=wrap, vertical="center", horizontal=align)
    return cell


def _header(sheet, title: str, issued, aggregate: Aggregate, *, columns: int) -> int:
    """Title and the header block; returns the next free row."""
    incident = issued.incident
    drill = DRILL if issued.is_drill else ""
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    _cell(sheet, 1, 1, f"{drill}{title}", bold=True, border=False, align="center").font = Font(bold=True, size=14)
    rows = [
        ("報告日時", _when(issued.issued_at), "都道府県", incident.municipality.prefecture),
        ("市町村", incident.municipality.name, "報告者名", issued.reporter_name),
        ("災害名", f"{drill}{incident.name}", "報告番号", f"第{issued.number}報"),
        ("時点", f"{_when(issued.as_of)}現在", "消防庁受信者氏名", ""),
    ]
    for offset, (k1, v1, k2, v2) in enumerate(rows):
        row = 3 + offset
        _cell(sheet, row, 1, k1, bold=True, fill=HEAD_FILL)
        _cell(sheet, row, 2, v1)
        _cell(sheet, row, 3, k2, bold=True, fill=HEAD_FILL)
        _cell(sheet, row, 4, v2)
    return 3 + len(rows) + 1


def _item_table(sheet, start: int, aggregate: Aggregate, part: int, *, label_header: str) -> int:
    """Group | item | unit | value rows of one part; groups merged over their rows. Returns the next row."""
    for column, text in enumerate(("区分", label_header, "単位", "被害"), start=1):
        _cell(sheet, start, column, text, bold=True, fill=HEAD_FILL, align="center")
    groups = {g["id"]: g["label"]["ja"] for g in aggregate.definition.groups}
    row, group_start, current = start + 1, start + 1, None
    for entry in aggregate.rows(part):
        if entry["group"] != current:
            if current is not None and row - 1 > group_start:
                sheet.merge_cells(start_row=group_start, start_column=1, end_row=row - 1, end_column=1)
            current, group_start = entry["group"], row
            _cell(sheet, row, 1, groups.get(current, current), bold=True, wrap=True)
        else:
            _cell(sheet, row, 1, None)
        _cell(sheet, row, 2, entry["label"], wrap=True)
        _cell(sheet, row, 3, entry["unit"], align="center")
        _cell(sheet, row, 4, _number(entry["total"])).number_format = "#,##0.##"
        row += 1
    if current is not None and row - 1 > group_start:
        sheet.merge_cells(start_row=group_start, start_column=1, end_row=row - 1, end_column=1)
    return row + 1


def _how_made(entry) -> str:
    """Toki's note on how a figure is made, for its own sheet (never on the official form)."""
    aggregation = entry["item"].aggregation
    return "（自動計算）" if aggregation == "derived" else "（最大時）" if aggregation == "peak" else ""


def _notes(sheet, row: int, issued, keys) -> int:
    labels = dict(NOTE_LABELS)
    for key in keys:
        _cell(sheet, row, 1, labels[key], bold=True, fill=HEAD_FILL)
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
        _cell(sheet, row, 2, issued.notes.get(key, "") or "未確認", wrap=True)
        sheet.row_dimensions[row].height = 45
        row += 1
    return row + 1


def _widths(sheet, widths):
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def workbook_bytes(issued, aggregate: Aggregate) -> bytes:
    """The .xlsx of an issued report, given the Aggregate rebuilt from its snapshot."""
    book = Workbook()
    part1 = book.active
    part1.title = "その1"
    row = _header(part1, "第4号様式（その1）　災害概況即報", issued, aggregate, columns=4)
    row = _notes(part1, row, issued, ("place", "occurred", "overview"))
    _cell(part1, row, 1, "被害の状況", bold=True, border=False)
    row = _item_table(part1, row + 1, aggregate, 1, label_header="項目")
    row = _notes(part1, row, issued, ("response",))
    part1.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
    _cell(part1, row, 1, FIRST_REPORT_NOTE, border=False, wrap=True)
    part1.row_dimensions[row].height = 48
    _widths(part1, (18, 34, 14, 30))

    part2 = book.create_sheet("その2")
    row = _header(part2, "第4号様式（その2）　被害状況即報", issued, aggregate, columns=4)
    row = _item_table(part2, row, aggregate, 2, label_header="項目")
    _notes(part2, row, issued, ("place", "occurred", "overview", "response"))
    _widths(part2, (16, 34, 10, 16))

    districts = book.create_sheet("地区別")
    names = list(aggregate.district_names.values())
    headers = ["項目", "単位", "合計", *names]
    title = f"{DRILL if issued.is_drill else ''}地区別集計　第{issued.number}報（{_when(issued.as_of)}現在）"
    _cell(districts, 1, 1, title, bold=True, border=False)
    for column, text in enumerate(headers, start=1):
        _cell(districts, 3, column, text, bold=True, fill=HEAD_FILL, align="center")
    for offset, entry in enumerate(aggregate.rows(), start=4):
        values = [entry["label"] + _how_made(entry), entry["unit"], _number(entry["total"]),
                  *(_number(v) for v in entry["districts"])]
        for column, value in enumerate(values, start=1):
            _cell(districts, offset, column, value)
    form = f"様式定義: {aggregate.definition_code} {aggregate.definition_version}（Toki）"
    _cell(districts, 4 + len(aggregate.rows()) + 1, 1, form, border=False)
    _widths(districts, (30, 8, 12, *([10] * len(names))))
    book.properties.keywords = f"{aggregate.definition_code} {aggregate.definition_version}"

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
