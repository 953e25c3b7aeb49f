# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wolkvox_token_info's logic: the token's numbers as both platforms send them, odd values included."""

import pytest

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _token_info
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import WolkvoxError
from ansible_collections.wolkvox.wolkvox.tests.utils.simulated import client_for


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


def test_token_info_from_both_platforms(acme_sim):
    result = _token_info.run(client_for(acme_sim, []), {"platform": "contact_center", "operation": None})
    assert result == {"changed": False, "token_info": {
        "description": "token", "token_limit": 2000, "token_use_today": 100, "all_token_today": 100,
        "available_consumption_options": 1900, "hours_to_restart_count": None, "usage_percent": 5.0,
        "operation_use_today": 100, "operation_available": 1900, "operation_usage_percent": 5.0}}
    crm = _token_info.run(client_for(acme_sim, [], "crm"), {"platform": "crm", "operation": "Acme"})["token_info"]
    assert (crm["token_use_today"], crm["available_consumption_options"], crm["all_token_today"]) == (101, 1899, None)
    assert 1 <= crm["hours_to_restart_count"] <= 24
