"""``yizhan demo`` keeps the demo usable whenever it starts: needs whose time has passed move
into the future (so README examples that accept them keep working)."""

from __future__ import annotations


def test_demo_needs_move_into_the_future_on_every_start(cli, clock):
    created = cli("demo", "--json")
    assert created.exit_code == 0, created.stderr
    assert created.json()["created"] is True and created.json()["refreshed"] == 0
    clock.advance(days=40)
    later = cli("demo", "--json").json()
    assert later["created"] is False
    assert later["refreshed"] >= 2  # the open and the accepted needs, not the confirmed one
    assert cli("demo", "--json").json()["refreshed"] == 0  # already in the future
