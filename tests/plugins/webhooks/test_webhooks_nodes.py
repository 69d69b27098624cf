"""``node(id:)`` on the webhooks plugin's types answers as its fields do: admins of the
community only, and nobody where webhooks is off."""

from webhooks_helpers import deliver, deliveries, post_need, subscribe

from yizhan.core.services import plugin_admin

NODE = """query($id: ID!) { node(id: $id) { __typename id
  ... on Webhook { url active } ... on WebhookDelivery { event status } } }"""


async def _ids(admin, resident, receiver, community) -> dict[str, str]:
    hook = await subscribe(admin, receiver, ["need.*"])
    await post_need(community, resident.member)
    await deliver()
    (sent,) = await deliveries(admin)
    return {"Webhook": hook["id"], "WebhookDelivery": sent["id"]}


async def test_webhooks_and_deliveries_are_nodes_for_admins_only(
        webhooks_on, admin, leader, resident, pending, outsider, gql, receiver):
    ids = await _ids(admin, resident, receiver, webhooks_on)
    for type_name, gid in ids.items():
        found = await admin.gql.data(NODE, {"id": gid})
        assert found["node"]["__typename"] == type_name and found["node"]["id"] == gid
        for client, code in ((leader.gql, "FORBIDDEN"), (resident.gql, "FORBIDDEN"),
                             (pending.gql, "FORBIDDEN"), (outsider.gql, "FORBIDDEN"),
                             (gql, "UNAUTHENTICATED")):
            assert await client.error_code(NODE, {"id": gid}) == code


async def test_node_answers_plugin_disabled_where_webhooks_is_off(webhooks_on, admin, resident,
                                                                  receiver):
    ids = await _ids(admin, resident, receiver, webhooks_on)
    await plugin_admin.disable(webhooks_on, "webhooks")
    for gid in ids.values():
        assert await admin.gql.error_code(NODE, {"id": gid}) == "PLUGIN_DISABLED"
