# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wolkvox_routing_points_info's logic: the routing points with odd values read as flags and timestamps, with
one warning per field and value; no routing point is an empty list."""

import pytest

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _routing_points_info
from ansible_collections.wolkvox.wolkvox.simulator.wolkvox_simulator import Simulator
from ansible_collections.wolkvox.wolkvox.tests.utils.simulated import ACME_TOKEN, client_for


def set_routing_points(sim, points):
    sim.admin("/_sim/operations/acme", {"routing_points": points})


def test_routing_points_with_odd_values_warn_once_per_field_and_value(acme_sim):
    set_routing_points(acme_sim, [
        {"rp_id": " 7 ", "rp_name": "Sales", "ivr_active": " Yes", "chat_active": "sí", "interaction_active": "",
         "crm_active": "maybe", "last_use": "2026-01-20 13:42:47", "brand_new_field": "ignored"},
        {"rp_id": 8, "rp_name": "Support", "ivr_active": "NO", "chat_active": "", "interaction_active": "yes",
         "last_use": "-"},
    ])
    warnings = []
    result = _routing_points_info.run(client_for(acme_sim, warnings), {"rp_id": None})
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
    fixture = {"operations": [{"name": "acme", "empty_answer": empty_answer, "tokens": [{"token": ACME_TOKEN}]}]}
    with Simulator(fixture) as server:
        result = _routing_points_info.run(client_for(server, []), {"rp_id": "404"})
    assert result == {"changed": False, "routing_points": []}
