# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wolkvox_allowed_ips' logic on a fake client that answers like the platform: the addresses read in config's
shape, a change made by a remove and an add, and what the platform refuses."""

import pytest

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _allowed_ips
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import WolkvoxError
from ansible_collections.wolkvox.wolkvox.tests.utils.fake_platform import FakeClient, answer, listing


IPS = [
    {"operation": "acme", "ip": "203.0.113.7", "type_ip": "permanente", "description": "office ", "last_use": ""},
    {"operation": "acme", "ip": "2001:DB8:0::7", "type_ip": "temporal", "description": "lab"},
]


def ips(state="merged", config=None, client=None, check_mode=False):
    client = client or FakeClient(get_ip=listing(IPS), add_ip=answer("201"), remove_ip=answer("202"))
    result = _allowed_ips.run(client, dict(state=state, config=config), check_mode=check_mode)
    return result, client


def test_allowed_ips_are_read_in_configs_shape_with_canonical_addresses():
    result, client = ips("gathered")
    assert result["gathered"] == [{"ip": "203.0.113.7", "permanent": True, "description": "office"},
                                  {"ip": "2001:db8::7", "permanent": False, "description": "lab"}]
    assert client.calls == [("GET", "get_ip", None, None)]


@pytest.mark.parametrize("record, permanent", [
    ({"type_ip": "Permanent"}, True), ({"type_ip": "temporary"}, False), ({"permanent": "yes"}, True),
    ({"type_ip": "forever"}, None),
])
def test_the_type_of_an_allowed_ip_is_read_in_spanish_or_english(record, permanent):
    client = FakeClient(get_ip=listing([dict(record, ip="192.0.2.1")]))
    result = ips("gathered", client=client)[0]
    assert result["gathered"][0]["permanent"] is permanent
    assert bool(client.warnings) is (permanent is None)


def test_no_allowed_ip_is_an_empty_list():
    client = FakeClient(get_ip=answer(404, "No data", [], status=404))
    assert ips("gathered", client=client)[0]["gathered"] == []


def test_an_allowed_ip_is_removed_as_the_platform_wrote_it_and_changed_by_a_remove_and_an_add():
    result, client = ips("overridden", [{"ip": "203.0.113.7", "description": "office"}])
    assert [change["action"] for change in result["changes"]] == ["remove", "remove", "add"]
    assert client.calls[1:] == [
        ("DELETE", "remove_ip", None, {"ip": "2001:DB8:0::7"}),
        ("DELETE", "remove_ip", None, {"ip": "203.0.113.7"}),
        ("POST", "add_ip", None, {"ip": "203.0.113.7", "permanent": "no", "description": "office"}),
    ]
    assert result["changes"][1]["reason"] == result["changes"][2]["reason"] == _allowed_ips.REPLACE_REASON


def test_a_refused_add_after_its_remove_says_the_address_is_not_allowed_now():
    client = FakeClient(get_ip=listing(IPS), remove_ip=answer("202"),
                        add_ip=answer("406", "THE LIMIT OF 5 PERMANENT IPS HAS BEEN REACHED"))
    with pytest.raises(WolkvoxError) as caught:
        ips(config=[{"ip": "2001:db8::7", "permanent": True}], client=client)
    error = caught.value
    assert error.kind == "refused"
    assert "the platform refused to add 2001:db8::7 (body code 406: THE LIMIT OF 5 PERMANENT IPS HAS BEEN REACHED)" \
        in error.msg
    assert "2001:db8::7 is NOT allowed now" in error.msg
    assert [change["applied"] for change in error.details["changes"]] == [True, False]


def test_an_add_the_platform_says_is_already_there_is_a_conflict():
    client = FakeClient(get_ip=listing([]), add_ip=answer("404", "THE IP IS ALREADY REGISTERED"))
    with pytest.raises(WolkvoxError) as caught:
        ips(config=[{"ip": "192.0.2.1"}], client=client)
    assert caught.value.kind == "conflict"
    assert "something else changed them meanwhile" in caught.value.msg
