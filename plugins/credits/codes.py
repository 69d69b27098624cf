"""Voucher codes: twelve typeable characters with a check character (55 random bits), shown in
groups of four (``K7QM-3XZD-92HT``). The scheme is core's ``typeable_codes`` (yizhan.core.api)."""

from __future__ import annotations

from yizhan.core.api import typeable_codes

__all__ = ["ALPHABET", "LENGTH", "display", "is_well_formed", "new_code", "normalize"]

ALPHABET = typeable_codes.ALPHABET
display = typeable_codes.display
normalize = typeable_codes.normalize
LENGTH = 12


def new_code() -> str:
    """A fresh random voucher code (12 characters, no dashes)."""
    return typeable_codes.new_code(LENGTH)


def is_well_formed(code: str) -> bool:
    """True for 12 characters of the alphabet whose check character matches."""
    return typeable_codes.is_well_formed(code, LENGTH)
