"""A KPI's trend as server-side SVG (docs/kpi.md; reference kpi.md C.5): bars for the results, a marker for each
year's target, the year's 和暦 label under each bar. The SVG is `role="img"` with a <title> and a <desc> that says
the takeaway in one sentence; the page puts the same figures in a table beside it, so nothing is only in the
picture. Bars carry the status letter as text and a pattern as well as a colour."""

from decimal import Decimal
from xml.sax.saxutils import escape

from toki.kpi import achievement

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 72, 16, 24, 48
PATTERNS = {"S": "kpi-solid", "A": "kpi-dots", "B": "kpi-hatch", "C": "kpi-cross", achievement.NO_STATUS: "kpi-none"}


def _scale_max(values: list[Decimal]) -> Decimal:
    top = max(values, default=Decimal(0))
    return top * Decimal("1.15") if top > 0 else Decimal(1)


def _short_year(year: int) -> str:
    return achievement.wareki_year(year).removesuffix("年度").replace("令和", "R")


def trend_svg(*, chart_id: str, title: str, description: str, figures: list[achievement.YearFigure],
              stages: list[str] | None = None) -> str:
    """`figures`: one per column of the plan table. Stage KPIs are drawn on a scale of stage positions."""
    values = [f.result for f in figures if f.result is not None] + [f.target for f in figures if f.target is not None]
    top = Decimal(len(stages)) if stages else _scale_max(values)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = Decimal(plot_w) / max(len(figures), 1)

    def y_of(value: Decimal) -> float:
        return float(TOP + plot_h - value / top * plot_h)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="kpi-chart" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        _patterns(),
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" class="kpi-axis"/>',
    ]
    parts += _gridlines(top, y_of, stages)
    for index, figure in enumerate(figures):
        x = float(LEFT + slot * index)
        width = float(slot) * 0.56
        bar_x = x + float(slot) * 0.22
        if figure.result is not None:
            y = y_of(min(figure.result, top))
            pattern = PATTERNS.get(figure.status, "kpi-none")
            parts.append(f'<rect x="{bar_x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{TOP + plot_h - y:.1f}" '
                         f'class="kpi-bar kpi-bar--{escape(figure.status)}" fill="url(#{pattern})"/>')
            parts.append(f'<text x="{bar_x + width / 2:.1f}" y="{y - 4:.1f}" class="kpi-status" '
                         f'text-anchor="middle">{escape(figure.status)}</text>')
        if figure.target is not None:
            y = y_of(min(figure.target, top))
            parts.append(f'<line x1="{bar_x - 4:.1f}" y1="{y:.1f}" x2="{bar_x + width + 4:.1f}" y2="{y:.1f}" '
                         f'class="kpi-target"/>')
        parts.append(f'<text x="{x + float(slot) / 2:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
                     f'class="kpi-year">{escape(_short_year(figure.year))}</text>')
    parts.append(f'<g class="kpi-legend" transform="translate({LEFT},{HEIGHT - 12})">'
                 '<rect width="14" height="10" fill="url(#kpi-solid)" class="kpi-bar"/>'
                 '<text x="20" y="9">結果</text>'
                 '<line x1="70" y1="5" x2="90" y2="5" class="kpi-target"/><text x="96" y="9">目標</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _gridlines(top: Decimal, y_of, stages: list[str] | None) -> list[str]:
    lines = []
    ticks = [Decimal(i) for i in range(1, len(stages) + 1)] if stages else [top * i / 4 for i in range(1, 5)]
    for tick in ticks:
        y = y_of(tick)
        lines.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" class="kpi-grid"/>')
        if stages:  # a stage's name is long: written above its line, from the left edge of the plot
            lines.append(f'<text x="{LEFT + 4}" y="{y - 4:.1f}" class="kpi-tick">{int(tick)}. '
                         f'{escape(stages[int(tick) - 1])}</text>')
        else:
            lines.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="kpi-tick">'
                         f'{escape(_tick_label(tick))}</text>')
    return lines


def _tick_label(value: Decimal) -> str:
    """Axis labels short enough for the margin: 10,000 and more in 万 (1,825,000 → 183万)."""
    if value >= 10000:
        return f"{value / 10000:,.0f}万"
    return f"{value:,.1f}".removesuffix(".0")


def _patterns() -> str:
    """Fills that differ in shape, not only in colour (S solid, A dots, B hatch, C cross-hatch)."""
    return (
        '<defs>'
        '<pattern id="kpi-solid" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" class="kpi-fill-s"/></pattern>'
        '<pattern id="kpi-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" class="kpi-fill-a"/><circle cx="3" cy="3" r="1.3" class="kpi-mark"/></pattern>'
        '<pattern id="kpi-hatch" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" class="kpi-fill-b"/><path d="M0 6L6 0" class="kpi-mark-line"/></pattern>'
        '<pattern id="kpi-cross" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" class="kpi-fill-c"/><path d="M0 6L6 0M0 0L6 6" class="kpi-mark-line"/>'
        '</pattern>'
        '<pattern id="kpi-none" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" class="kpi-fill-none"/></pattern>'
        '</defs>')
