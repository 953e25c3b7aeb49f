# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""When the controller fast path applies, and what it refuses before either path."""

import datetime
from types import SimpleNamespace

import pytest

from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils import _fast_path
from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils._fast_path import WolkvoxAction


def action(transport="local", become=False, async_val=0):
    plugin = object.__new__(WolkvoxAction)
    plugin._templar = SimpleNamespace(template=lambda value: value)
    plugin._connection = SimpleNamespace(transport=transport)
    plugin._play_context = SimpleNamespace(become=become)
    plugin._task = SimpleNamespace(async_val=async_val)
    return plugin


@pytest.mark.parametrize("transport, become, async_val, switch, applies", [
    ("local", False, 0, None, True),         # delegate_to: localhost or connection: local
    ("local", False, 0, True, True),
    ("local", False, 0, "yes", True),
    ("local", False, 0, False, False),       # wolkvox_fast_path: false ships the module
    ("local", False, 0, "false", False),
    ("ssh", False, 0, None, False),          # a jump host: the request leaves from there
    ("paramiko", False, 0, None, False),
    ("local", True, 0, None, False),         # become: the module runs as the other user
    ("local", False, 30, None, False),       # async: the module runs in the background
])
def test_when_the_fast_path_applies(transport, become, async_val, switch, applies):
    task_vars = {} if switch is None else {"wolkvox_fast_path": switch}
    assert action(transport, become, async_val)._fast_path_applies(task_vars) is applies


@pytest.mark.parametrize("args, says", [
    ({"body": {"on": datetime.date(2026, 1, 20)}}, "body.on holds the date 2026-01-20"),
    ({"body": [{"at": datetime.time(8, 30)}]}, "body[0].at holds the time 08:30:00"),
    ({"config": [{"when": datetime.datetime(2026, 1, 20, 8, 0)}]}, "config[0].when holds the date and time"),
])
def test_dates_that_yaml_read_unquoted_are_refused_on_both_paths(args, says):
    assert says in _fast_path._not_json(args)


def test_plain_values_pass():
    assert _fast_path._not_json({"body": {"ip": "203.0.113.7", "n": [1, 2.5, True, None]}}) is None
