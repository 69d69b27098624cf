"""The community profile for pitching shops: aggregates only."""

from __future__ import annotations

from merchants_helpers import code_for, submit

from yizhan.core.services import needs

PROFILE = """query { communityProfile(community: "testville") { households buildings
  verifiedMembers activeHelpers activeHelperDays helpHours needsConfirmed activeMerchants
  redemptionsByMonth { month redemptions credits value residents } } }"""


async def test_the_profile_counts_households_members_helpers_and_redemptions(
        merchants_on, admin, shop, cashier, rich_resident, neighbour, pending, clock):
    from datetime import timedelta

    need = await needs.post(merchants_on, rich_resident.member, title="Soy sauce",
                            category="errand", window_start=clock.now(),
                            window_end=clock.now() + timedelta(hours=2),
                            estimated_minutes=45, credits="0.50")
    await needs.accept(merchants_on, neighbour.member, need["id"])
    await needs.mark_done(merchants_on, neighbour.member, need["id"])
    await needs.confirm(merchants_on, rich_resident.member, need["id"])
    await submit(cashier, shop, await code_for(rich_resident), "30.00")
    await submit(cashier, shop, await code_for(rich_resident), "12.00")

    found = (await admin.gql.data(PROFILE))["communityProfile"]
    by_month = found.pop("redemptionsByMonth")
    assert found == {"households": 360, "buildings": 2, "verifiedMembers": 4,
                     "activeHelpers": 1, "activeHelperDays": 90, "helpHours": "0.75",
                     "needsConfirmed": 1, "activeMerchants": 1}
    assert len(by_month) == 12
    assert by_month[-1] == {"month": "2026-11", "redemptions": 2, "credits": "4.20",
                            "value": "42.00", "residents": 1}
    assert by_month[0]["month"] == "2025-12" and by_month[0]["redemptions"] == 0


async def test_only_admins_read_the_profile(merchants_on, resident):
    result = await resident.gql.execute(PROFILE)
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
