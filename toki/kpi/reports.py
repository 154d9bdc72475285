"""The plan's KPIs on paper (docs/kpi.md): the 評価調書 of one 基本目標 as PDF (for the 審議会 packet, with the
internal and external review stages), and the whole plan as Excel in the plan's own table layout (目標 / 結果 /
達成率 per fiscal year). Both are built from `selectors.plan_table`, the same figures as the pages."""

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from toki.kpi import achievement, selectors
from toki.kpi.models import Goal, Note, Plan
from toki.lib.spreadsheet import set_cell

# One of the CID fonts every PDF reader carries for Japanese: nothing to install or embed.
FONT = "HeiseiKakuGo-W5"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=13)
HEADING = ParagraphStyle("heading", fontName=FONT, fontSize=15, leading=20, spaceAfter=6)
SUBHEADING = ParagraphStyle("subheading", fontName=FONT, fontSize=11, leading=16, spaceBefore=8, spaceAfter=4)


def column_label(first: int, last: int) -> str:
    if first == last:
        return achievement.wareki_year(first)
    return f"{achievement.wareki_year(first).removesuffix('年度')}–{achievement.wareki_year(last).removeprefix('令和')}"


def _rate_text(figure: achievement.YearFigure) -> str:
    return f"{figure.rate}%" if figure.rate is not None else ""


def evaluation_pdf(plan: Plan, goal: Goal, year: int, today: date) -> bytes:
    """評価調書: per measure, each KPI's target, result, 達成率 and grade for `year`, and its reviewed notes."""
    columns, table = selectors.plan_table(plan, today)
    goal_rows = next(g for g in table if g.goal.pk == goal.pk)
    index = next(i for i, (first, last) in enumerate(columns) if first <= year <= last)
    notes = {(n.kpi_id, n.fiscal_year): n for n in Note.objects.filter(
        kpi__measure__goal=goal, fiscal_year=year).exclude(stage=Note.Stage.DRAFT)}
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
        bottomMargin=15 * mm, title=f"{plan.title} 基本目標{goal.number} 評価調書 {achievement.wareki_year(year)}",
        author=plan.municipality.name)
    story = [Paragraph(f"{plan.title}　評価調書（{achievement.wareki_year(year)}）", HEADING),
             Paragraph(f"基本目標{goal.number}：{goal.title}", SUBHEADING),
             Paragraph(f"{plan.municipality.name}　{today:%Y年%m月%d日} 時点", BODY), Spacer(1, 4 * mm)]
    for measure in goal_rows.measures:
        story.append(Paragraph(f"{measure.measure.title}（担当：{'、'.join(measure.measure.departments)}）",
                               SUBHEADING))
        if not measure.rows:
            story.append(Paragraph("この施策のKPIは計画でまだ定められていません。", BODY))
            continue
        rows = [["KPI", "目標", "結果", "達成率", "評価", "測定", "要因分析", "改善方針", "評価段階"]]
        for row in measure.rows:
            figure = row.years[index]
            note = notes.get((row.kpi.pk, year))
            rows.append([Paragraph(row.kpi.name, BODY), Paragraph(figure.target_label or "未設定", BODY),
                         Paragraph(figure.result_label or "—", BODY), _rate_text(figure), figure.status,
                         "Toki" if selectors.is_measured(row.kpi) else "手入力",
                         Paragraph(note.analysis if note else "", BODY),
                         Paragraph(note.improvement if note else "", BODY),
                         note.get_stage_display() if note else "未記入"])
        widths = [55 * mm, 30 * mm, 28 * mm, 17 * mm, 11 * mm, 14 * mm, 45 * mm, 45 * mm, 22 * mm]
        grid = Table(rows, colWidths=widths, repeatRows=1)
        grid.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
            ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(grid)
    story += [Spacer(1, 4 * mm), Paragraph(
        "達成率：結果÷目標（年間で積み上がる指標は年度途中の目標に対して）。評価：S 100%以上、A 80%以上、B 60%以上、"
        "C それ未満、− 結果または目標なし。「Toki」は Toki が自らのデータで測定した値。", BODY)]
    document.build(story, onFirstPage=_page_footer, onLaterPages=_page_footer)
    return buffer.getvalue()


def _page_footer(canvas, document) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.drawRightString(document.pagesize[0] - 15 * mm, 8 * mm, f"{document.title}　{canvas.getPageNumber()}頁")
    canvas.restoreState()


THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDDDDD")


def plan_workbook(plan: Plan, today: date) -> bytes:
    """One sheet per 基本目標, laid out like the plan: per KPI three rows 目標 / 結果 / 達成率, one column per year."""
    columns, table = selectors.plan_table(plan, today)
    book = Workbook()
    book.remove(book.active)
    for goal in table:
        sheet = book.create_sheet(f"基本目標{goal.goal.number}")
        set_cell(sheet, 1, 1, f"{plan.title}　基本目標{goal.goal.number}：{goal.goal.title}")
        sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
        set_cell(sheet, 2, 1, f"{today:%Y年%m月%d日} 時点")
        line = 4
        for measure in goal.measures:
            set_cell(sheet, line, 1, measure.measure.title)
            sheet.cell(row=line, column=1).font = Font(bold=True)
            line += 1
            header = ["重要業績成果指数 KPI", ""] + [column_label(first, last) for first, last in columns]
            for column, text in enumerate(header, start=1):
                set_cell(sheet, line, column, text)
                cell = sheet.cell(row=line, column=column)
                cell.fill, cell.border = HEAD_FILL, BOX
            line += 1
            for row in measure.rows:
                for offset, (label, values) in enumerate((
                        ("目標", [f.target_label for f in row.years]),
                        ("結果", [f.result_label for f in row.years]),
                        ("達成率", [f"{_rate_text(f)} {f.status}".strip() if f.rate is not None else ""
                                  for f in row.years]))):
                    if offset == 0:
                        set_cell(sheet, line, 1, row.kpi.name)
                    set_cell(sheet, line, 2, label)
                    for column, value in enumerate(values, start=3):
                        set_cell(sheet, line, column, value)
                    for column in range(1, len(header) + 1):
                        sheet.cell(row=line, column=column).border = BOX
                    line += 1
                sheet.merge_cells(start_row=line - 3, start_column=1, end_row=line - 1, end_column=1)
                sheet.cell(row=line - 3, column=1).alignment = Alignment(wrap_text=True, vertical="top")
            line += 1
        sheet.column_dimensions["A"].width = 34
        for column in range(3, len(columns) + 3):
            sheet.column_dimensions[sheet.cell(row=5, column=column).column_letter].width = 15
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
