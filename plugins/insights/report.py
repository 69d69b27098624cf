"""The monthly report: a community's indicators for a month with trend and breakdown charts,
as a PDF (fpdf2) and a self-contained HTML page, in the community's language.

Chinese needs a CJK font (core's :func:`find_cjk_font`); without one the report is written in
English so nothing prints as empty boxes.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from fpdf import FPDF

from yizhan.core.api import find_cjk_font, plugin_settings, translate
from yizhan.plugins.insights import charts, service
from yizhan.plugins.insights.periods import Period

#: Indicators charted as trends, in this order, when the community has them.
TREND_KEYS = (
    "core.active_members", "core.needs_posted", "core.needs_confirmed", "core.hours_of_help",
    "core.completion_rate", "core.median_minutes_to_accept", "credits.issued",
    "merchants.redemptions", "merchants.average_rating",
)
UNITS_ZH = {"count": "", "percent": "%", "hours": " 小时", "minutes": " 分钟",
            "credits": " 时间币", "yuan": " 元", "rating": " 星"}
UNITS_EN = {"count": "", "percent": "%", "hours": " h", "minutes": " min",
            "credits": " credits", "yuan": " yuan", "rating": " stars"}
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")


@dataclass
class MonthlyReport:
    """A rendered report: its language, the PDF bytes and the HTML text."""

    month: str
    locale: str
    pdf: bytes
    html: str
    charts: int


def month_title(period: Period, locale: str) -> str:
    """``2026年11月`` or ``November 2026``."""
    if locale == "en":
        return f"{MONTHS_EN[period.index - 1]} {period.year}"
    return f"{period.year}年{period.index}月"


def format_value(value: int | Decimal | None, unit: str, locale: str) -> str:
    """A value with its unit, ``–`` when there was nothing to measure."""
    if value is None:
        return "–"
    suffix = (UNITS_EN if locale == "en" else UNITS_ZH)[unit]
    return f"{value}{suffix}"


def format_change(row: service.Row) -> str:
    """``+3``, ``-1.5`` or ``–``."""
    change = row.change
    if change is None:
        return "–"
    return f"+{change}" if change > 0 else f"{change}"


async def build(community: dict, period: Period, now: datetime,
                font_path: str | None = None) -> MonthlyReport:
    """Compute and render ``community``'s report for the month ``period`` (an admin's view:
    every indicator of the plugins on there)."""
    font_path = font_path if font_path is not None else find_cjk_font()
    locale = "en" if (community.get("locale") or "").startswith("en") or not font_path else (
        "zh_Hans")
    admin_view = {"role": "admin", "status": "verified"}
    rep = await service.report(community, period, admin_view, now)
    months = plugin_settings(community["id"], service.PLUGIN).trend_months
    by_key = {row.indicator.key: row.indicator for row in rep.rows}
    panels = []
    for key in TREND_KEYS:
        if key in by_key:
            points = await service.series(community, by_key[key], months, now, until=period)
            panels.append((by_key[key].title(locale), [p.label for p, _, _ in points],
                           [v for _, v, _ in points]))
    trend_png = charts.trends(panels, font_path)
    found = await service.breakdowns(community, period, now)
    categories, buildings = found["category"], found["building"]
    breakdown_png = charts.breakdowns(
        [(translate("Needs by category", locale), categories),
         (translate("Needs by building", locale), buildings)],
        font_path, translate("No needs this month", locale))
    texts = _texts(community, period, rep, locale, now, months)
    pdf = _pdf(texts, rep, locale, font_path, [trend_png, breakdown_png])
    page = _html(texts, rep, locale, [trend_png, breakdown_png])
    return MonthlyReport(period.label, locale, pdf, page, charts=2)


def _texts(community: dict, period: Period, rep: service.Report, locale: str, now: datetime,
           months: int) -> dict[str, str]:
    local_now = now.astimezone(ZoneInfo(community["time_zone"]))
    return {
        "title": translate("Monthly report", locale),
        "subtitle": f"{community['name']} · {month_title(period, locale)}",
        "generated": translate("Generated {date}", locale,
                               date=local_now.strftime("%Y-%m-%d %H:%M")),
        "status": translate("Final figures (the month is closed)." if rep.closed
                            else "Provisional figures as of {time} (the month is not closed "
                                 "yet).", locale,
                            time=rep.computed_at.astimezone(
                                ZoneInfo(community["time_zone"])).strftime("%Y-%m-%d %H:%M")),
        "trends": translate("Trends over the last {months} months", locale, months=months),
        "breakdowns": translate("This month's needs", locale),
        "table": translate("All indicators", locale),
        "indicator": translate("Indicator", locale),
        "value": translate("This month", locale),
        "previous": translate("Previous month", locale),
        "change": translate("Change", locale),
    }


def _pdf(texts: dict[str, str], rep: service.Report, locale: str, font_path: str | None,
         images: list[bytes]) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.set_margins(12, 12, 12)
    family = "helvetica"
    if font_path:
        pdf.add_font("cjk", "", font_path)
        family = "cjk"
    else:  # the core fonts know Latin-1 only: anything else prints as "?"
        texts = {k: _latin1(t) for k, t in texts.items()}
    pdf.add_page()
    pdf.set_font(family, size=18)
    pdf.cell(0, 10, texts["title"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=12)
    pdf.cell(0, 7, texts["subtitle"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=8)
    pdf.set_text_color(110, 110, 110)
    pdf.cell(0, 5, f"{texts['generated']}  {texts['status']}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    for heading, image in zip((texts["trends"], texts["breakdowns"]), images, strict=True):
        pdf.ln(3)
        pdf.set_font(family, size=12)
        pdf.cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.image(_png_stream(image), w=186)
    pdf.add_page()
    pdf.set_font(family, size=12)
    pdf.cell(0, 8, texts["table"], new_x="LMARGIN", new_y="NEXT")
    widths = (90, 34, 34, 28)
    pdf.set_font(family, size=9)
    pdf.set_fill_color(235, 240, 246)
    for text, width in zip((texts["indicator"], texts["value"], texts["previous"],
                            texts["change"]), widths, strict=True):
        pdf.cell(width, 7, text, border="B", fill=True)
    pdf.ln()
    for row in rep.rows:
        cells = (row.indicator.title(locale), format_value(row.value, row.indicator.unit, locale),
                 format_value(row.previous, row.indicator.unit, locale), format_change(row))
        for text, width in zip(cells, widths, strict=True):
            pdf.cell(width, 6, text if font_path else _latin1(text), border="B")
        pdf.ln()
    return bytes(pdf.output())


def _latin1(text: str) -> str:
    return text.replace("–", "-").encode("latin-1", "replace").decode("latin-1")


def _png_stream(image: bytes) -> io.BytesIO:
    return io.BytesIO(image)


def _html(texts: dict[str, str], rep: service.Report, locale: str, images: list[bytes]) -> str:
    e = html.escape
    lang = "en" if locale == "en" else "zh-Hans"
    rows = "\n".join(
        f"<tr><td title=\"{e(r.indicator.definition)}\">{e(r.indicator.title(locale))}</td>"
        f"<td>{e(format_value(r.value, r.indicator.unit, locale))}</td>"
        f"<td>{e(format_value(r.previous, r.indicator.unit, locale))}</td>"
        f"<td>{e(format_change(r))}</td></tr>" for r in rep.rows)
    figures = "\n".join(
        f"<h2>{e(heading)}</h2>\n<img alt=\"{e(heading)}\" "
        f"src=\"data:image/png;base64,{base64.b64encode(image).decode()}\">"
        for heading, image in zip((texts["trends"], texts["breakdowns"]), images, strict=True))
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{e(texts['title'])} · {e(texts['subtitle'])}</title>
<style>body{{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif;max-width:60rem;
margin:2rem auto;padding:0 1rem;color:#1f2933}}img{{max-width:100%}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #d9dee4;
padding:.3rem .5rem;text-align:left}}th{{background:#ebf0f6}}.note{{color:#6b7480}}</style>
</head><body>
<h1>{e(texts['title'])}</h1>
<p>{e(texts['subtitle'])}</p>
<p class="note">{e(texts['generated'])} {e(texts['status'])}</p>
{figures}
<h2>{e(texts['table'])}</h2>
<table><thead><tr><th>{e(texts['indicator'])}</th><th>{e(texts['value'])}</th>
<th>{e(texts['previous'])}</th><th>{e(texts['change'])}</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</body></html>
"""
