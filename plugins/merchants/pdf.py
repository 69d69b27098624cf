"""A shop's monthly settlement statement as a printable A4 PDF (fpdf2).

Chinese needs a CJK font: the first of ``YIZHAN_CJK_FONT`` and the fonts Debian packages
(``fonts-wqy-microhei``, ``fonts-wqy-zenhei``, ``fonts-noto-cjk``, ``fonts-arphic-uming``) that
is present (core's `find_cjk_font`, as for the card sheets). Without one the statement is
printed in English, and names written in Chinese are replaced by their number.
"""

from __future__ import annotations

from datetime import timedelta

from fpdf import FPDF

from yizhan.core.api import find_cjk_font, format_centi, translate
from yizhan.core.api import normalize_locale as normalize
from yizhan.plugins.merchants.money import format_fen
from yizhan.plugins.merchants.settlement import Statement, local_time

#: Column titles and widths (mm) of the redemptions table.
TABLE = (("Receipt", 16), ("Time", 30), ("Category", 22), ("Order (yuan)", 20),
         ("Credits", 16), ("Value (yuan)", 20), ("Discount (yuan)", 20),
         ("Leader bonus (yuan)", 20), ("Status", 16))



def _has_cjk(text: str) -> bool:
    return any(ord(ch) > 0xFF for ch in text)


class _Sheet:
    """Writing helpers bound to one document, its font and language."""

    def __init__(self, font_path: str | None, locale: str) -> None:
        self.pdf = FPDF(orientation="P", unit="mm", format="A4")
        self.pdf.set_auto_page_break(True, margin=15)
        self.cjk = font_path is not None
        if self.cjk:
            self.pdf.add_font("cjk", "", font_path)
        self.locale = locale if self.cjk else "en"

    def safe(self, text: str, fallback: str) -> str:
        """``text``, or ``fallback`` when it needs a CJK font the document lacks."""
        return text if self.cjk or not _has_cjk(text) else fallback

    def font(self, size: float, bold: bool = False) -> None:
        """Switch to the document's font at ``size``."""
        if self.cjk:
            self.pdf.set_font("cjk", size=size)
        else:
            self.pdf.set_font("helvetica", "B" if bold else "", size=size)

    def pair(self, label: str, value: str) -> None:
        """One line of the summary: a label and its figure."""
        self.font(10)
        self.pdf.cell(70, 6, label)
        self.pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")


def render(community: dict, st: Statement, locale: str | None = None,
           font_path: str | None = None) -> tuple[bytes, bool]:
    """The statement as PDF bytes, and whether Chinese could be printed."""
    font_path = font_path if font_path is not None else find_cjk_font()
    sheet = _Sheet(font_path, normalize(locale or community["locale"]))
    pdf, lang = sheet.pdf, sheet.locale
    shop = st.merchant
    pdf.set_title(f"Settlement {st.month.label} #{shop['id']}")
    pdf.add_page()
    sheet.font(16, bold=True)
    pdf.cell(0, 10, translate("Settlement statement", lang), new_x="LMARGIN", new_y="NEXT")
    sheet.font(11)
    pdf.cell(0, 7, sheet.safe(community["name"], community["slug"]), new_x="LMARGIN",
             new_y="NEXT")
    pdf.cell(0, 7, f"{sheet.safe(shop['name'], '#' + str(shop['id']))} · {st.month.label}",
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    sheet.pair(translate("Redemptions", lang), str(st.redemptions))
    sheet.pair(translate("Credits redeemed", lang), format_centi(st.credits_centi))
    sheet.pair(translate("Value (yuan)", lang), format_fen(st.value_fen))
    sheet.pair(translate("Voided", lang),
               f"{st.voids} · {format_centi(st.voided_centi)} · {format_fen(st.voided_value_fen)}")
    sheet.pair(translate("Net credits", lang), format_centi(st.net_centi))
    sheet.pair(translate("Net value (yuan)", lang), format_fen(st.net_value_fen))
    sheet.pair(translate("Discount given (yuan)", lang), format_fen(st.discount_fen))
    sheet.pair(translate("Leader bonus given (yuan)", lang), format_fen(st.leader_bonus_fen))
    sheet.pair(translate("Settlement account balance (credits)", lang),
               format_centi(st.account_balance_centi))
    g = st.guarantee
    if g.status != "none" or g.target_fen:
        pdf.ln(2)
        sheet.pair(translate("Guaranteed volume (yuan)", lang), format_fen(g.target_fen))
        if g.period_start and g.period_end:
            last = g.period_end - timedelta(microseconds=1)
            span = (f"{local_time(community, g.period_start)[:10]} - "
                    f"{local_time(community, last)[:10]}")
            sheet.pair(translate("Guarantee period", lang), span)
        sheet.pair(translate("Redeemed in the period (yuan)", lang), format_fen(g.achieved_fen))
        sheet.pair(translate("Guarantee", lang), translate(g.status, lang))
        sheet.pair(translate("Guarantee top-up owed by the community (yuan)", lang),
                   format_fen(g.top_up_fen))
    pdf.ln(4)
    _table(sheet, community, st)
    return bytes(pdf.output()), sheet.cjk


def _table(sheet: _Sheet, community: dict, st: Statement) -> None:
    pdf = sheet.pdf
    sheet.font(7.5, bold=True)
    for title, width in TABLE:
        pdf.cell(width, 6, translate(title, sheet.locale), border="B")
    pdf.ln()
    sheet.font(7.5)
    for row in st.lines:
        cells = [str(row["id"]), local_time(community, row["created_at"]), row["category"],
                 format_fen(row["order_fen"]), format_centi(row["credits_centi"]),
                 format_fen(row["value_fen"]), format_fen(row["discount_fen"]),
                 format_fen(row["leader_bonus_fen"]), translate(row["status"], sheet.locale)]
        for (_, width), value in zip(TABLE, cells, strict=True):
            pdf.cell(width, 5, value)
        pdf.ln()
    if not st.lines:
        pdf.cell(0, 6, translate("No redemptions this month.", sheet.locale), new_x="LMARGIN",
                 new_y="NEXT")
