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


def test_the_collection_playbooks_target_the_wolkvox_group_unless_told_otherwise():
    for playbook, own in (("audit", "wolkvox_audit_hosts"), ("provision", "wolkvox_provision_hosts")):
        with open(os.path.join(ROLES, "..", "playbooks", playbook + ".yml"), encoding="utf-8") as handle:
            play = yaml.safe_load(handle)[0]
        assert play["hosts"] == "{{ %s | default(wolkvox_hosts | default('wolkvox')) }}" % own
        assert play["roles"] == [{"role": "wolkvox.wolkvox." + playbook}]


@pytest.mark.parametrize("role", ["audit", "provision"])
def test_an_operation_that_fails_is_reported_not_printed_as_a_fatal_error(role):
    tasks = read(role, "tasks/main.yml")
    assert "ignore_errors" not in tasks
    for task in _module_tasks(yaml.safe_load(tasks)):
        assert task.get("failed_when") is False, task["name"]


def test_the_audit_checks_its_settings_on_the_controller_before_any_api_call():
    tasks = yaml.safe_load(read("audit", "tasks/main.yml"))
    first = tasks[0]
    assert "ansible.builtin.assert" in first and first["run_once"] is True and first["delegate_to"] == "localhost"
    assert "wolkvox.wolkvox.audit_settings_problems" in first["vars"]["__audit_problems"]
    assert not _module_tasks([first]) and _module_tasks(tasks[1:])


def test_make_docs_creates_the_home_it_runs_with():
    with open(os.path.join(ROLES, "..", "Makefile"), encoding="utf-8") as handle:
        makefile = handle.read()
    recipe = makefile.split("\ndocs:", 1)[1].split("\n\n", 1)[0]
    uses = recipe.index("$(TEST_ENV)")
    assert re.search(r"mkdir -p [^\n]*\$\(TEST_HOME\)", recipe[:uses]), recipe


def _module_tasks(tasks):
    """The tasks (blocks opened) that call a wolkvox module."""
    found = []
    for task in tasks:
        if "block" in task:
            found.extend(_module_tasks(task["block"]))
        elif any(key.startswith("wolkvox.wolkvox.wolkvox_") for key in task):
            found.append(task)
    return found
