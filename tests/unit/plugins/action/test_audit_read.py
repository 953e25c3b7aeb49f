# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit_read action (plugins/action/audit_read.py) as the audit role's task runs it: its options refused before
any request with a message that says what is accepted, and one operation read and judged from the task's variables.
The reader behind it is tested in tests/unit/plugins/plugin_utils/test_audit_read.py."""

from types import SimpleNamespace

import pytest

from ansible.errors import AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.plugins.loader import shell_loader
from ansible.template import Templar

from ansible_collections.wolkvox.wolkvox.plugins.action.audit_read import ActionModule
from ansible_collections.wolkvox.wolkvox.simulator.wolkvox_simulator import Simulator

TOKEN = "action-audit-read-5c1e07"
FLEET = {"operations": [{
    "name": "acme", "licenses": 2, "tokens": [{"name": "acme", "token": TOKEN, "limit": 1000, "used_today": 100}],
    "routing_points": [{"rp_id": "1", "rp_name": "Main", "ivr_active": "yes", "chat_active": "yes",
                        "interaction_active": "yes", "crm_active": "no", "last_use_days_ago": 1}],
}]}


@pytest.fixture(scope="module")
def sim():
    with Simulator(FLEET) as server:
        yield server


def run(args, task_vars=None, check_mode=False):
    """The action run as a task on the controller (connection local), with ``args`` and ``task_vars``."""
    task = Task.load({"action": "wolkvox.wolkvox.audit_read", "args": args})
    loader = DataLoader()
    context = PlayContext()
    context.check_mode = check_mode
    connection = SimpleNamespace(_shell=shell_loader.get("sh"), transport="local")
    plugin = ActionModule(task, connection, context, loader, Templar(loader=loader), None)
    plugin._load_name = "wolkvox.wolkvox.audit_read"  # as the plugin loader names it
    return plugin.run(task_vars=task_vars or {})


@pytest.mark.parametrize("args, says", [
    ({"concurrency": 0}, "concurrency must be a whole number from 1 to 256, not 0"),
    ({"concurrency": 257}, "concurrency must be a whole number from 1 to 256, not 257"),
    ({"concurrency": "many"}, "argument 'concurrency' is of type"),
    ({"thresholds": {"stale_days": 0}}, "wolkvox.wolkvox.audit_read: stale_days must be 1 or more, not 0"),
    ({"thresholds": {"warning_available_percent": 5, "critical_available_percent": 10}},
     "wolkvox.wolkvox.audit_read: the available-share thresholds must satisfy 0 <= critical (10.0) <= warning (5.0)"),
    ({"history": "/"}, "wolkvox.wolkvox.audit_read: wolkvox_audit_history '/' is a directory: give the path of a file"),
    ({"history": "/h.jsonl", "history_days": 0}, "wolkvox_audit_history_days must be a whole number of days from 1"),
    ({"colour": "red"}, "colour"),
])
def test_options_that_cannot_work_are_refused_before_any_request(sim, args, says):
    sim.admin("/_sim/requests", method="DELETE")
    variables = {"inventory_hostname": "acme", "wolkvox_server": sim.url, "wolkvox_token": TOKEN}
    with pytest.raises(AnsibleActionFail) as info:
        run(dict({"operations": ["acme"]}, **args), variables)
    assert says in str(info.value)
    assert sim.requests() == []


@pytest.mark.parametrize("check_mode", [False, True])
def test_the_operation_of_this_host_is_read_from_the_tasks_variables_and_judged(sim, check_mode):
    sim.admin("/_sim/reset", {})
    variables = {"inventory_hostname": "acme", "wolkvox_server": sim.url, "wolkvox_token": TOKEN,
                 "wolkvox_retries": 0}
    result = run({"operations": ["acme"]}, variables, check_mode=check_mode)  # it only reads: the same in check mode
    assert (result["changed"], result["api_calls"]) == (False, 2)
    record = result["records"][0]
    assert (record["operation"], record["status"], record["api_calls"]) == ("acme", "ok", 2)
    assert record["token"]["token_use_today"] == 101
    assert [entry["api"] for entry in sim.requests()] == ["token_info", "routing_points"]
    assert TOKEN not in repr(result)
