"""Closing months (stored once, read back unchanged, admins told) and the monthly report PDF
and HTML with charts, rendered to an image and read back as text."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pytest
import pytest_asyncio
from PIL import Image, ImageStat

from yizhan.core import jobs
from yizhan.core.services import communities, needs

QUERY = """query ($p: String) { indicators(community: "testville", period: $p) {
  closed values { value indicator { key } } } }"""


def _value(data: dict, key: str) -> str:
    return next(v["value"] for v in data["indicators"]["values"]
                if v["indicator"]["key"] == key)


@pytest.mark.hook("yizhan_register_jobs")
async def test_a_closed_month_is_stored_once_and_admins_are_told(november, admin, resident,
                                                                 clock):
    clock.advance(days=29, hours=16)  # 1 December 01:00, Shanghai (logins still valid)
    assert (await jobs.run_due(only="insights.close_months"))["insights.close_months"] >= 2
    before = await admin.gql.data(QUERY, {"p": "2026-11"})
    assert before["indicators"]["closed"] is True
    assert _value(before, "core.needs_posted") == "2"
    inbox = await admin.gql.data("{ notifications(community: \"testville\", first: 5) "
                                 "{ nodes { title } } }")
    assert any("2026-11" in n["title"] for n in inbox["notifications"]["nodes"])
    # A need posted now changes December's live figures, never the stored November.
    start = clock.now()
    await needs.post(november, resident.member, title="Later", category="errand",
                     window_start=start + timedelta(hours=1),
                     window_end=start + timedelta(hours=2), estimated_minutes=10)
    assert (await jobs.run_due(only="insights.close_months", force=True))[
        "insights.close_months"] == 0
    after = await admin.gql.data(QUERY, {"p": "2026-11"})
    assert after == before
    december = await admin.gql.data(QUERY, {"p": "2026-12"})
    assert december["indicators"]["closed"] is False
    assert _value(december, "core.needs_posted") == "1"


def _pixels_vary(png: str) -> float:
    return max(ImageStat.Stat(Image.open(png).convert("L")).var)


@pytest_asyncio.fixture
async def chinese_december(november, clock) -> dict:
    """Testville speaking Chinese, on 1 December."""
    from yizhan.core.tables import Community

    await Community.update({Community.locale: "zh_Hans"}).where(Community.id == november["id"])
    communities.forget_cached()
    clock.advance(days=29, hours=16)
    return november


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils is not installed")
def test_monthly_report_pdf_and_html_with_charts_in_chinese(chinese_december, cli, tmp_path):
    pdf, page = tmp_path / "report.pdf", tmp_path / "report.html"
    made = cli("report", "monthly", "-c", "testville", "--month", "2026-11", "--pdf", str(pdf),
               "--html", str(page), "--json")
    assert made.exit_code == 0, made.stderr
    assert made.json()["charts"] == 2
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    assert _pixels_vary(str(tmp_path / "page-1.png")) > 100
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    if made.json()["locale"] == "zh_Hans":
        assert "月度报告" in text and "2026年11月" in text and "发布的需求" in text
    else:  # no CJK font on this machine: the report falls back to English
        assert "Monthly report" in text
    html = page.read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 2 and "core" not in html.split("<body>")[0]


async def test_monthly_report_from_graphql_for_admins(november, admin, clock):
    import base64

    clock.advance(days=29, hours=16)
    data = await admin.gql.data('{ monthlyReport(community: "testville") '
                                '{ month filename pdfBase64 html } }')
    report = data["monthlyReport"]
    assert report["month"] == "2026-11" and report["filename"] == "testville-2026-11.pdf"
    assert base64.b64decode(report["pdfBase64"]).startswith(b"%PDF")
    assert "<img" in report["html"]
