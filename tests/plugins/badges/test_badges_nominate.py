"""Badges nominates the certified experts of a need's category, so matching scores them even
when core's own bounded pool (skill, building, free slot, lowest ids) would not reach them."""

from __future__ import annotations

import pytest
from badges_helpers import certify, post_need

from yizhan.core import matching
from yizhan.testing.people import make_actor

TOP = """query($id: ID!) { candidates(needId: $id, first: 1) { member { id } reasons } }"""


@pytest.mark.hook("yizhan_nominate_candidates")
async def test_certified_expert_is_scored_beyond_the_pool(badges, gql, leader, resident,
                                                          neighbour, monkeypatch):
    electrician = await make_actor(badges, gql, "chen", "A", "resident")
    monkeypatch.setattr(matching, "POOL", 0)  # core's indexed pools bring nobody
    need_id = await post_need(badges, resident)
    before = (await resident.gql.data(TOP, {"id": need_id}))["candidates"]
    assert [c["member"]["id"] for c in before] != [electrician.id]  # the newest: not reached

    await certify(electrician, leader)
    after = (await resident.gql.data(TOP, {"id": need_id}))["candidates"]
    # nominated, then scored exactly like everyone else (same building, then the boost)
    assert after == [{"member": {"id": electrician.id},
                      "reasons": ["same_building", "certified_expert"]}]
