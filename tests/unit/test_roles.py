# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each role's documented defaults are the ones its tasks use."""

import ast
import os
import re

import pytest
import yaml

ROLES = os.path.join(os.path.dirname(__file__), "..", "..", "roles")


def read(role, path):
    with open(os.path.join(ROLES, role, path), encoding="utf-8") as handle:
        return handle.read()


@pytest.mark.parametrize("role", ["audit", "provision"])
def test_documented_defaults_are_the_defaults_in_use(role):
    options = yaml.safe_load(read(role, "meta/argument_specs.yml"))["argument_specs"]["main"]["options"]
    used = {name: ast.literal_eval(value.replace("true", "True").replace("false", "False"))
            for name, value in re.findall(r"\{\{ (wolkvox_%s_\w+) \| default\(([^)]*\)?)\)" % role, read(role, "vars/main.yml"))}
    public = {name: spec for name, spec in options.items() if name.startswith("wolkvox_%s_" % role)}
    assert sorted(used) == sorted(public)
    for name, spec in public.items():
        documented = spec.get("default", "")  # an option with no default leaves things alone: '' in vars/main.yml
        assert used[name] == documented, name


@pytest.mark.parametrize("role", ["audit", "provision"])
def test_roles_talk_to_wolkvox_from_the_controller_through_the_action_group(role):
    tasks = read(role, "tasks/main.yml")
    assert "group/wolkvox.wolkvox.wolkvox:" in tasks
    assert 'server: "{{ wolkvox_server | default(omit) }}"' in tasks
    assert 'token: "{{ wolkvox_token | default(omit) }}"' in tasks
    assert "delegate_to: localhost" in tasks
