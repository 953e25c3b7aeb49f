# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Record every wolkvox task's result of a run, in order, to the JSON file named by WOLKVOX_PARITY_FILE.

The integration targets run each playbook on both execution paths and compare the two records whole
(see compare() and setup_simulator/simulator.sh): the fast path must give what the shipped module gives.
"""

import json
import os
import re
import sys

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: wolkvox_parity
type: aggregate
short_description: record wolkvox task results for the parity test
description: Writes every wolkvox.wolkvox task result of a run to the file named by WOLKVOX_PARITY_FILE.
requirements: [WOLKVOX_PARITY_FILE set]
"""

# What may differ between the two paths, and why (the allow-list; keep it short):
# - keys ansible-core adds on one path only: the module path's execution details;
IGNORED_KEYS = frozenset([
    "_ansible_no_log", "_ansible_verbose_always", "_ansible_verbose_override", "_ansible_delegated_vars",
    "ansible_facts", "deprecations_ansible_core", "attempts", "item", "ansible_loop_var", "_ansible_item_label",
])
# - waits and durations that the backoff's jitter or the machine's speed decide;
# - ansible-core's own list of valid booleans, printed in the hash order of a set (it differs per process).
REWRITES = [
    (re.compile(r"\d+(\.\d+)? seconds"), "N seconds"),
    (re.compile(r"Valid booleans include: .*"), "Valid booleans include: ..."),
]


def normalized(value):
    if isinstance(value, dict):
        return dict((key, normalized(item)) for key, item in sorted(value.items()) if key not in IGNORED_KEYS)
    if isinstance(value, list):
        return [normalized(item) for item in value]
    if isinstance(value, str):
        for pattern, replacement in REWRITES:
            value = pattern.sub(replacement, value)
        return value
    return value


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "wolkvox_parity"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.records = []
        self.path = os.environ.get("WOLKVOX_PARITY_FILE")

    def _record(self, result, outcome):
        action = result._task.action
        if not action.startswith("wolkvox.wolkvox.") or not self.path:
            return
        self.records.append({"task": result._task.get_name(), "host": result._host.get_name(), "outcome": outcome,
                             "result": normalized(json.loads(json.dumps(result._result, default=str)))})

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_item_on_ok(self, result):
        self._record(result, "item ok")

    def v2_runner_item_on_failed(self, result):
        self._record(result, "item failed")

    def v2_playbook_on_stats(self, stats):
        if self.path:
            with open(self.path, "w", encoding="utf-8") as handle:
                json.dump(self.records, handle, indent=1, sort_keys=True)


def compare(fast, shipped):
    """Print the first difference between two records; exit 1 if they differ."""
    with open(fast, encoding="utf-8") as handle:
        left = json.load(handle)
    with open(shipped, encoding="utf-8") as handle:
        right = json.load(handle)
    hosts = set(record["host"] for record in left + right)
    if len(hosts) > 1:
        # forks of several hosts run at once: which request the simulator counts first is timing, not the path
        print("parity: not compared, %d hosts ran at once (their counters depend on timing)" % len(hosts))
        return 0
    if len(left) != len(right):
        print("parity: %d wolkvox task results on the fast path, %d on the module path" % (len(left), len(right)))
        return 1
    for one, other in zip(left, right):
        if one != other:
            keys = sorted(set(one["result"]) | set(other["result"]))
            differing = [key for key in keys if one["result"].get(key) != other["result"].get(key)]
            print("parity: task %r differs between the paths in %s" % (one["task"], ", ".join(differing) or "outcome"))
            for key in differing[:3]:
                print("  fast path:   %s = %s" % (key, json.dumps(one["result"].get(key))[:600]))
                print("  module path: %s = %s" % (key, json.dumps(other["result"].get(key))[:600]))
            return 1
    print("parity: %d wolkvox task results equal on both paths" % len(left))
    return 0


if __name__ == "__main__":
    sys.exit(compare(sys.argv[1], sys.argv[2]))
