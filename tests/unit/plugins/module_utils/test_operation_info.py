# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wolkvox_operation_info's logic on a fake client that answers like the platform: each subset read once, in the
shape of its own module."""

import pytest

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _agents, _allowed_ips, _operation_info
from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _routing_points_info, _token_info
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import WolkvoxError
from ansible_collections.wolkvox.wolkvox.tests.utils.fake_platform import FakeClient, failure, listing

IPS = [
    {"operation": "acme", "ip": "203.0.113.7", "type_ip": "permanente", "description": "office ", "last_use": ""},
    {"operation": "acme", "ip": "2001:DB8:0::7", "type_ip": "temporal", "description": "lab"},
]

AGENTS = [
    {"agent_id": "12989", "agent_name": "Phoenix  Jones", "agent_dni": "0010203", "agent_status": "Available",
     "last_use": "", "agent_sso": "", "enabled": "yes"},
    {"agent_id": "12990", "agent_name": "Dana Ruiz", "agent_dni": "0010204", "agent_status": "Disconnected",
     "last_use": "", "agent_sso": "dana", "enabled": "no"},
]


def gathered(logic, **answers):
    """What a resource module's own logic gathers from the same answers."""
    params = dict(state="gathered", config=None, update_password="on_create", generated_passwords_file=None,
                  allow_disable_all=False)
    return logic.run(FakeClient(**answers), params)["gathered"]


# -- each subset in its own module's shape -----------------------------------------------------------------


@pytest.mark.parametrize("asked, read", [
    (["token"], ["token"]),
    (["agents", "token", "agents"], ["token", "agents"]),
    (["all"], list(_operation_info.SUBSETS)),
    (["allowed_ips", "all"], list(_operation_info.SUBSETS)),
    (["connectors", "services", "skills"], ["skills", "services", "connectors"]),
])
def test_operation_info_reads_each_subset_once_in_order(asked, read):
    assert _operation_info.subsets(asked) == read


def test_operation_info_returns_each_subset_in_its_modules_shape():
    token = {"description": "main", "token_limit": "2000", "token_use_today": "40", "all_token_today": "52",
             "available_consumption_options": "1960"}
    points = [{"rp_id": "101", "rp_name": "Sales", "ivr_active": "yes", "chat_active": "no", "interaction_active": "si",
               "crm_active": "", "last_use": "2026-01-20 13:42:47"}]
    client = FakeClient(token_info=listing([token]), routing_points=listing(points), agents=listing(AGENTS, code=""),
                        get_ip=listing(IPS))
    result = _operation_info.run(client, dict(gather_subset=["token", "routing_points", "agents", "allowed_ips"]))
    assert result["token"] == _token_info.normalize(token, "contact_center")
    assert result["routing_points"] == _routing_points_info.normalize(points)[0]
    assert result["agents"] == gathered(_agents, agents=listing(AGENTS, code=""))
    assert result["allowed_ips"] == gathered(_allowed_ips, get_ip=listing(IPS))
    assert client.apis() == ["token_info", "routing_points", "agents", "get_ip"]
    assert client.warnings == ["routing points: crm_active is '' in 1 record(s), read as false"]


def test_operation_info_reads_services_and_connectors_typed():
    services = {"licenses": "10", "pbx": " 2 ", "whatsapp": "yes", "crm": "no", "region": "co", "sms": ""}
    connectors = [{"connector_id": "9", "rp_id": "3001", "name": " Web ", "channel": "chat-web"},
                  {"connector_id": "10", "rp_id": "3001", "name": "WA", "channel": "whatsapp"}]
    client = FakeClient(services=lambda query, body: (200, {"code": "200", "data": services}),
                        connectors=listing(connectors))
    result = _operation_info.run(client, dict(gather_subset=["services", "connectors"]))
    assert result["services"] == {"licenses": 10, "pbx": 2, "whatsapp": True, "crm": False, "region": "co", "sms": None}
    assert result["connectors"] == [{"id": "9", "rp_id": "3001", "name": "Web", "channel": "chat-web"},
                                    {"id": "10", "rp_id": "3001", "name": "WA", "channel": "whatsapp"}]
    assert client.apis() == ["services", "connectors"]


def test_operation_info_fails_with_the_subsets_read_before():
    client = FakeClient(token_info=listing([{"token_limit": "10", "token_use_today": "1"}]),
                        routing_points=failure(WolkvoxError("the platform failed", "server_error")))
    with pytest.raises(WolkvoxError) as caught:
        _operation_info.run(client, dict(gather_subset=["token", "routing_points"]))
    assert caught.value.msg == "reading routing_points failed: the platform failed"
    assert caught.value.details["token"]["token_limit"] == 10
