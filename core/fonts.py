"""Finding a CJK font for printed Chinese (PDFs and charts).

The first of ``YIZHAN_CJK_FONT`` and the fonts Debian packages (``fonts-wqy-microhei``,
``fonts-wqy-zenhei``, ``fonts-noto-cjk``, ``fonts-arphic-uming``) that is present; None when
there is none (callers then print English).
"""

from __future__ import annotations

import os
from pathlib import Path

CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


def find_cjk_font() -> str | None:
    """The path of a CJK font to use, or None."""
    for path in (os.environ.get("YIZHAN_CJK_FONT"), *CJK_FONTS):
        if path and Path(path).is_file():
            return path
    return None
