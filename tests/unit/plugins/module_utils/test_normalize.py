# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Types at the edge: odd values the platform sends, and what the modules make of them."""


import pytest

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _module_state, _routing_points, _token_info
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import WolkvoxClient, WolkvoxError
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._normalize import to_flag, to_int, to_iso_timestamp
from ansible_collections.wolkvox.wolkvox.simulator.wolkvox_simulator import Simulator

TOKEN = "tok-normalize-91c2"


@pytest.mark.parametrize("value, expected", [
    ("4800", 4800), (" 4800 ", 4800), (4800, 4800), ("4800.0", 4800), (4800.0, 4800), ("-3", -3),
    ("", None), (" ", None), ("-", None), (None, None),
])
def test_to_int(value, expected):
    assert to_int(value) == expected


@pytest.mark.parametrize("value", ["48a0", "4,800", "4800.5", True, [], {}])
def test_to_int_refuses_what_is_not_a_whole_number(value):
    with pytest.raises(ValueError):
        to_int(value)


@pytest.mark.parametrize("value, expected", [
    ("yes", True), ("Yes", True), ("YES", True), (" yes ", True), ("si", True), ("sí", True), ("SÍ", True),
    (True, True), ("no", False), ("NO", False), (" no", False), (False, False),
    ("", None), (" ", None), ("-", None), (None, None), ("maybe", None),
])
def test_to_flag(value, expected):
    assert to_flag(value) is expected


@pytest.mark.parametrize("value, expected", [
    ("2026-01-20 13:42:47", "2026-01-20T13:42:47"),
    ("2026-01-20T13:42:47", "2026-01-20T13:42:47"),
    ("2026-01-20 13:42", "2026-01-20T13:42:00"),
    ("20260120134247", "2026-01-20T13:42:47"),
    ("2026-01-20", "2026-01-20T00:00:00"),
    (" 2026-01-20 13:42:47 ", "2026-01-20T13:42:47"),
    ("20/01/2026 1:42 pm", "20/01/2026 1:42 pm"),  # not understood: kept as sent
    ("", None), (" ", None), ("-", None), (None, None),
])
def test_to_iso_timestamp(value, expected):
    assert to_iso_timestamp(value) == expected


# -- token_info ------------------------------------------------------------------------------------


def test_contact_center_token_info_with_odd_values():
    record = {"description": " token ", "token_limit": " 4800 ", "token_use_today": 12, "all_token_today": "",
              "available_consumption_options": "4788", "unknown_new_field": {"x": 1}}
    assert _token_info.normalize(record, "contact_center") == {
        "description": "token", "token_limit": 4800, "token_use_today": 12, "all_token_today": None,
        "available_consumption_options": 4788, "hours_to_restart_count": None, "usage_percent": 0.25,
        "operation_use_today": None, "operation_available": None, "operation_usage_percent": None}


def test_crm_token_info_maps_the_misspelt_field():
    record = {"description": "token", "token_limit": 4800, "token_use_today": 0,
              "available_consumition_options": 4800, "hours_to_restart_count": 15}
    assert _token_info.normalize(record, "crm") == {
        "description": "token", "token_limit": 4800, "token_use_today": 0, "all_token_today": None,
        "available_consumption_options": 4800, "hours_to_restart_count": 15, "usage_percent": 0.0,
        "operation_use_today": None, "operation_available": None, "operation_usage_percent": None}


def test_missing_available_is_computed_and_a_zero_limit_reads_as_all_used():
    assert _token_info.normalize({"token_limit": "100", "token_use_today": "40"}, "contact_center")[
        "available_consumption_options"] == 60
    assert _token_info.normalize({"token_limit": "0", "token_use_today": "1"}, "contact_center")["usage_percent"] == 100.0


@pytest.mark.parametrize("record, says", [
    ({"token_use_today": "1"}, "has no token_limit (fields sent: token_use_today)"),
    ({"token_limit": "", "token_use_today": "1"}, "has no token_limit"),
    ({"token_limit": "lots", "token_use_today": "1"}, "has token_limit = 'lots', which is not a whole number"),
])
def test_token_info_without_the_numbers_is_a_clear_error(record, says):
    with pytest.raises(WolkvoxError) as info:
        _token_info.normalize(record, "contact_center")
    assert says in info.value.msg


# -- the logic against the simulator ---------------------------------------------------------------


@pytest.fixture
def sim():
    fixture = {"operations": [{"name": "acme", "licenses": 2, "crm_operation": "Acme",
                               "tokens": [{"name": "acme", "token": TOKEN, "used_today": 99}]}]}
    with Simulator(fixture) as server:
        yield server


def client_for(sim, warnings, platform="contact_center"):
    params = {"server": sim.url, "token": TOKEN, "timeout": 5, "validate_certs": True, "ca_path": None,
              "retries": 0, "max_concurrent_requests": 2}
    return WolkvoxClient(params, platform=platform, warn=warnings.append)


def set_routing_points(sim, points):
    sim.admin("/_sim/operations/acme", {"routing_points": points})


def test_token_info_from_both_platforms(sim):
    result = _token_info.run(client_for(sim, []), {"platform": "contact_center", "operation": None})
    assert result == {"changed": False, "token_info": {
        "description": "token", "token_limit": 2000, "token_use_today": 100, "all_token_today": 100,
        "available_consumption_options": 1900, "hours_to_restart_count": None, "usage_percent": 5.0,
        "operation_use_today": 100, "operation_available": 1900, "operation_usage_percent": 5.0}}
    crm = _token_info.run(client_for(sim, [], "crm"), {"platform": "crm", "operation": "Acme"})["token_info"]
    assert (crm["token_use_today"], crm["available_consumption_options"], crm["all_token_today"]) == (101, 1899, None)
    assert 1 <= crm["hours_to_restart_count"] <= 24


def test_routing_points_with_odd_values_warn_once_per_field_and_value(sim):
    set_routing_points(sim, [
        {"rp_id": " 7 ", "rp_name": "Sales", "ivr_active": " Yes", "chat_active": "sí", "interaction_active": "",
         "crm_active": "maybe", "last_use": "2026-01-20 13:42:47", "brand_new_field": "ignored"},
        {"rp_id": 8, "rp_name": "Support", "ivr_active": "NO", "chat_active": "", "interaction_active": "yes",
         "last_use": "-"},
    ])
    warnings = []
    result = _routing_points.run(client_for(sim, warnings), {"rp_id": None})
    assert result["routing_points"] == [
        {"rp_id": "7", "rp_name": "Sales", "ivr_active": True, "chat_active": True, "interaction_active": False,
         "crm_active": False, "last_use": "2026-01-20T13:42:47"},
        {"rp_id": "8", "rp_name": "Support", "ivr_active": False, "chat_active": False, "interaction_active": True,
         "crm_active": False, "last_use": None},
    ]
    assert sorted(warnings) == [
        "routing points: chat_active is '' in 1 record(s), read as false",
        "routing points: crm_active is 'maybe' in 1 record(s), read as false",
        "routing points: crm_active is missing in 1 record(s), read as false",
        "routing points: interaction_active is '' in 1 record(s), read as false",
    ]


@pytest.mark.parametrize("empty_answer", ["not_found", "empty_list"])
def test_no_routing_points_is_an_empty_list(empty_answer):
    fixture = {"operations": [{"name": "acme", "empty_answer": empty_answer, "tokens": [{"token": TOKEN}]}]}
    with Simulator(fixture) as server:
        result = _routing_points.run(client_for(server, []), {"rp_id": "404"})
    assert result == {"changed": False, "routing_points": []}


def test_module_state_follows_the_platforms_answer(sim):
    client = client_for(sim, [])
    first = _module_state.run(client, {"state": "disabled"}, diff=True)
    again = _module_state.run(client, {"state": "disabled"}, diff=True)
    assert (first["changed"], first["msg"]) == (True, "The acme module has been successfully disabled")
    assert first["diff"] == {"before": {"state": "unknown"}, "after": {"state": "disabled"}}
    assert (again["changed"], again["msg"]) == (False, "The acme module is already disabled")
    assert again["diff"] == {"before": {"state": "disabled"}, "after": {"state": "disabled"}}
    assert client.api_calls == 2


def test_module_state_in_check_mode_sends_nothing(sim):
    client = client_for(sim, [])
    result = _module_state.run(client, {"state": "enabled"}, check_mode=True, diff=True)
    assert result["changed"] is True and result["state"] == "enabled"
    assert result["msg"].startswith("check mode: enable_module was not sent. The platform offers no read")
    assert client.api_calls == 0


@pytest.mark.parametrize("msg, changed", [
    ("The acme module has been successfully enabled", True),
    ("The acme module is already enabled", False),
    ("El módulo ya se encuentra habilitado", False),
    ("El modulo ya esta activo", False),
    ("O módulo já está ativo", False),
    ("Módulo habilitado correctamente", True),
])
def test_already_in_english_spanish_and_portuguese(msg, changed):
    assert bool(_module_state.ALREADY.search(msg)) is not changed
