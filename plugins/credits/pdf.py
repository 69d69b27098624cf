"""A printable sheet of experience cards: ten cards per A4 page, each with its code, what it is
worth, until when, and a QR code, with dashed lines to cut along.

Chinese text needs a CJK font: the first of ``YIZHAN_CJK_FONT`` and the fonts Debian packages
(``fonts-wqy-microhei``, ``fonts-wqy-zenhei``, ``fonts-noto-cjk``, ``fonts-arphic-uming``) that
is present. Without one the cards are printed in English only (and the community's slug stands
in for a Chinese name).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import qrcode
from fpdf import FPDF

from yizhan.core.api import find_cjk_font, format_centi
from yizhan.plugins.credits.codes import display

PAGE_W, PAGE_H = 210.0, 297.0
COLS, ROWS = 2, 5
CARD_W, CARD_H = 90.0, 54.0
QR_SIZE = 34.0



@dataclass
class Card:
    """What one card shows."""

    code: str
    amount_centi: int
    last_day: date
    qr_text: str


def _has_cjk(text: str) -> bool:
    return any(ord(ch) > 0x2E7F for ch in text)


def _qr(pdf: FPDF, text: str, x: float, y: float, size: float) -> None:
    """Draw ``text`` as a QR code of vector squares (sharp at any print size)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                pdf.rect(x + start * module, y + r * module, (c - start) * module, module,
                         style="F")
            else:
                c += 1


def render(cards: list[Card], community_name: str, path: str | Path,
           font_path: str | None = None) -> dict:
    """Write the sheet to ``path``; returns pages, cards and whether Chinese was printed."""
    font_path = font_path if font_path is not None else find_cjk_font()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title("Experience cards")
    cjk = font_path is not None
    if cjk:
        pdf.add_font("cjk", "", font_path)
    name = community_name if cjk or not _has_cjk(community_name) else ""
    margin_x = (PAGE_W - COLS * CARD_W) / 2
    margin_y = (PAGE_H - ROWS * CARD_H) / 2
    per_page = COLS * ROWS
    for index, card in enumerate(cards):
        if index % per_page == 0:
            pdf.add_page()
        slot = index % per_page
        x = margin_x + (slot % COLS) * CARD_W
        y = margin_y + (slot // COLS) * CARD_H
        _card(pdf, card, x, y, name, cjk)
    pdf.output(str(path))
    return {"pages": pdf.pages_count, "cards": len(cards), "chinese": cjk}


def _card(pdf: FPDF, card: Card, x: float, y: float, name: str, cjk: bool) -> None:
    pdf.set_draw_color(150, 150, 150)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=1.5, gap=1.5)
    pdf.rect(x, y, CARD_W, CARD_H)
    pdf.set_dash_pattern()
    amount = format_centi(card.amount_centi)
    if card.amount_centi % 100 == 0:
        amount = str(card.amount_centi // 100)
    left = x + 5
    text_w = CARD_W - QR_SIZE - 12
    pdf.set_text_color(0, 0, 0)
    if cjk:
        pdf.set_font("cjk", size=13)
        pdf.set_xy(left, y + 5)
        pdf.cell(text_w, 6, f"{amount} 小时体验卡")
        pdf.set_font("helvetica", size=8)
        pdf.set_xy(left, y + 11.5)
        pdf.cell(text_w, 4, f"{amount}-hour experience card")
    else:
        pdf.set_font("helvetica", "B", size=12)
        pdf.set_xy(left, y + 5)
        pdf.cell(text_w, 6, f"{amount}-hour experience card")
    if name:
        pdf.set_font("cjk" if cjk else "helvetica", size=8)
        pdf.set_xy(left, y + 16)
        pdf.cell(text_w, 4, name[:40])
    pdf.set_font("courier", "B", size=13)
    pdf.set_xy(left, y + 24)
    pdf.cell(text_w, 7, display(card.code))
    pdf.set_font("helvetica", size=7.5)
    pdf.set_xy(left, y + 33)
    pdf.cell(text_w, 4, f"Worth {amount} time credits, one use.")
    pdf.set_xy(left, y + 37)
    pdf.cell(text_w, 4, f"Valid through {card.last_day.isoformat()}.")
    if cjk:
        pdf.set_font("cjk", size=7.5)
        pdf.set_xy(left, y + 42)
        pdf.cell(text_w, 4, f"一次有效，{card.last_day.isoformat()} 前兑换")
        pdf.set_xy(left, y + 46)
        pdf.cell(text_w, 4, "扫码或在驿站应用中输入兑换码")
    else:
        pdf.set_xy(left, y + 42)
        pdf.cell(text_w, 4, "Scan, or type the code in the app.")
    _qr(pdf, card.qr_text, x + CARD_W - QR_SIZE - 5, y + (CARD_H - QR_SIZE) / 2, QR_SIZE)
