"""docs/hooks.md says which of core's hooks the probe plugin leaves out; keep that true."""

from __future__ import annotations

import re
from pathlib import Path

import yz_probe

from yizhan.core import hookspecs

DOC = Path(__file__).resolve().parents[2] / "docs" / "hooks.md"


def test_the_probe_hook_list_in_the_docs_is_true():
    sentence = re.search(r"yz_probe\.py` implements every hook of core this way except\s+(.*?)\(",
                         DOC.read_text(), re.S)
    assert sentence, "docs/hooks.md lost its sentence about the probe plugin"
    left_out = set(re.findall(r"`(yizhan_\w+)`", sentence[1]))
    core_hooks = {name for name in dir(hookspecs) if name.startswith("yizhan_")}
    implemented = {name for name in dir(yz_probe) if name.startswith("yizhan_")}
    assert left_out == core_hooks - implemented
