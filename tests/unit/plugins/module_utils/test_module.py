# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wolkvox_module's logic: what the platform's answer says about a change, the diff, and check mode."""

import pytest

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _module
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import WolkvoxError
from ansible_collections.wolkvox.wolkvox.simulator.wolkvox_simulator import Simulator
from ansible_collections.wolkvox.wolkvox.tests.utils.simulated import ACME_TOKEN, client_for


def run(name, enabled, state, fault=None):
    fixture = {"operations": [{"name": "op", "module_name": name, "module_enabled": enabled, "licenses": 1,
                               "tokens": [{"name": "op", "token": ACME_TOKEN}]}]}
    with Simulator(fixture) as sim:
        if fault:
            sim.admin("/_sim/faults", fault)
        client = client_for(sim, retries=2)
        try:
            return _module.run(client, {"state": state}), sim.requests()
        except WolkvoxError as exc:
            return exc, sim.requests()


@pytest.mark.parametrize("name", ["Maya Ja", "Playa Sol", "Ya", "JA", "Cobranza já", "Already Sales"])
def test_a_module_name_never_reads_as_already(name):
    result, dummy = run(name, enabled=False, state="enabled")
    assert result["changed"] is True, result["msg"]


@pytest.mark.parametrize("name", ["Maya Ja", "Acme"])
def test_the_platforms_already_answer_is_no_change(name):
    result, dummy = run(name, enabled=True, state="enabled")
    assert result["changed"] is False and "already enabled" in result["msg"]


@pytest.mark.parametrize("msg, changed", [
    ("El módulo Maya ya se encuentra habilitado", False),
    ("O módulo Ja já está ativo", False),
    ("El módulo Playa ha sido habilitado", True),
    ("The Maya Ja module has been successfully disabled", True),
])
def test_spanish_and_portuguese_wordings(msg, changed):
    predicted = bool(_module.SUCCESS.search(msg)) or not _module.ALREADY.search(msg)
    assert predicted is changed


def test_a_lost_answer_is_not_sent_again_and_says_how_to_confirm():
    error, log = run("Acme", enabled=False, state="enabled", fault={"kind": "lose_answer"})
    assert error.kind == "outcome_unknown" and "already enabled confirms" in error.msg
    assert [entry["api"] for entry in log] == ["enable_module"]


# -- the switch, its diff and check mode ------------------------------------------------------------------


def test_module_state_follows_the_platforms_answer(acme_sim):
    client = client_for(acme_sim, [])
    first = _module.run(client, {"state": "disabled"}, diff=True)
    again = _module.run(client, {"state": "disabled"}, diff=True)
    assert (first["changed"], first["msg"]) == (True, "The acme module has been successfully disabled")
    assert first["diff"] == {"before": {"state": "unknown"}, "after": {"state": "disabled"}}
    assert (again["changed"], again["msg"]) == (False, "The acme module is already disabled")
    assert again["diff"] == {"before": {"state": "disabled"}, "after": {"state": "disabled"}}
    assert client.api_calls == 2


def test_module_state_in_check_mode_sends_nothing(acme_sim):
    client = client_for(acme_sim, [])
    result = _module.run(client, {"state": "enabled"}, check_mode=True, diff=True)
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
    assert bool(_module.ALREADY.search(msg)) is not changed
