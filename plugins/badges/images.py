"""The default badge image: a small SVG medal drawn from the badge's kind and name.

Used when an admin gives no image URL; served at ``/badges/<community>/achievements/<slug>/
image.svg`` and named in the credential, so every badge has a picture wallets can show.
"""

from __future__ import annotations

import hashlib
from html import escape

#: Ribbon colours by kind; the medal's colour comes from the badge's slug.
RIBBON = {"expert": "#1f6feb", "star": "#d4a017", "custom": "#2da44e"}
PALETTE = ("#e8590c", "#1c7ed6", "#2f9e44", "#ae3ec9", "#f08c00", "#0c8599", "#e03131")


def _initials(name: str) -> str:
    words = name.split()
    if len(words) > 1 and all(w.isascii() for w in words):
        return (words[0][0] + words[1][0]).upper()
    return name[:2].upper() if name.isascii() else name[:2]


def svg(name: str, slug: str, kind: str) -> str:
    """The SVG text of a badge's default image (deterministic for the same inputs)."""
    digest = hashlib.sha256(slug.encode()).digest()
    colour = PALETTE[digest[0] % len(PALETTE)]
    ribbon = RIBBON.get(kind, RIBBON["custom"])
    label = escape(_initials(name) or "?")
    title = escape(name)
    star = ('<path d="M100 38 l9 18 20 3 -14 14 3 20 -18-9 -18 9 3-20 -14-14 20-3z" '
            'fill="#fff3bf"/>' if kind == "star" else "")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="240" '
        f'viewBox="0 0 200 240" role="img" aria-label="{title}"><title>{title}</title>'
        f'<path d="M70 150 L50 235 L80 215 L100 238 L100 150z" fill="{ribbon}"/>'
        f'<path d="M130 150 L150 235 L120 215 L100 238 L100 150z" fill="{ribbon}"/>'
        f'<circle cx="100" cy="100" r="86" fill="{colour}" stroke="#fff" stroke-width="6"/>'
        f'{star}<text x="100" y="{132 if kind == "star" else 118}" font-size="48" '
        'font-family="sans-serif" font-weight="bold" text-anchor="middle" '
        f'fill="#ffffff">{label}</text></svg>'
    )
