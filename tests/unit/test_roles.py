# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each role's documented defaults are the ones its tasks use."""

import os
import re

import pytest
import yaml

ROLES = os.path.join(os.path.dirname(__file__), "..", "..", "roles")


def read(role, path):
    with open(os.path.join(ROLES, role, path), encoding="utf-8") as handle:
        return handle.read()


@pytest.mark.parametrize("role", ["audit", "provision"])
def test_the_defaults_file_holds_exactly_the_documented_defaults(role):
    options = yaml.safe_load(read(role, "meta/argument_specs.yml"))["argument_specs"]["main"]["options"]
    # the role's own variables; the connection variables (wolkvox_platform...) are the modules' options
    documented = {name: spec["default"] for name, spec in options.items()
                  if "default" in spec and name.startswith("wolkvox_%s_" % role)}
    assert yaml.safe_load(read(role, "defaults/main.yml")) == documented
    # the tasks read them as they are: no second default in vars/main.yml
    settings = read(role, "vars/main.yml")
    for name in documented:
        assert "{{ %s " % name in settings, name
        assert not re.search(r"%s \| default\(" % name, settings), name
    # the options without a default are declarations or paths: unset leaves them alone ('' in vars/main.yml)
    for name in sorted(set(options) - set(documented)):
        if name.startswith("wolkvox_%s_" % role):
            assert "{{ %s | default('') }}" % name in settings, name


@pytest.mark.parametrize("role", ["provision"])
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
        if playbook == "audit":  # the role once for the play, its argument validation included (see its README)
            assert play["tasks"] == [{"name": "Audit every operation of the play", "run_once": True,
                                      "ansible.builtin.import_role": {"name": "wolkvox.wolkvox.audit"}}]
        else:  # its first task checks the argument specification, with the declarations (see its README)
            assert play["tasks"] == [{"name": "Provision every operation of the play",
                                      "ansible.builtin.import_role": {"name": "wolkvox.wolkvox.provision",
                                                                      "rolespec_validate": False}}]
            assert play["any_errors_fatal"] is True


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
    assert not _reader_tasks([first]) and _reader_tasks(tasks[1:])


def test_the_audit_reads_every_operation_in_one_task_on_the_controller_and_judges_each_host_at_most_once():
    tasks = _audit_tasks()
    [reader] = _reader_tasks(tasks)
    assert reader["run_once"] is True and reader["delegate_to"] == "localhost"
    assert reader["wolkvox.wolkvox.audit_read"]["operations"] == "{{ ansible_play_batch }}"
    assert reader["no_log"] == "{{ __audit_settings.secure_logging }}"  # budgets and errors hidden unless asked for
    assert not _module_tasks(tasks) and "ignore_errors" not in read("audit", "tasks/main.yml")
    # every task runs once for the play, on the controller, but the verdict: meta end_role for the hosts that pass
    # (a step of the controller, no worker), and the fail task, which from ansible-core 2.18 on only the failing
    # hosts reach
    per_host = [task["name"] for task in tasks if task.get("run_once") is not True]
    assert all(task["run_once"] is False for task in tasks if task["name"] in per_host)  # even in a run_once import
    assert per_host == ["Leave the role for the operations that wolkvox_audit_fail_on does not fail",
                        "Fail where wolkvox_audit_fail_on says", "Fail where wolkvox_audit_fail_on says"]
    verdict = yaml.safe_load(read("audit", "tasks/verdict.yml"))
    assert verdict[0]["ansible.builtin.meta"] == "end_role"
    assert verdict[0]["when"] == "inventory_hostname not in __audit_report.failing"
    assert verdict[1]["when"] == "inventory_hostname in __audit_report.failing"
    assert yaml.safe_load(read("audit", "tasks/verdict_each_host.yml")) == verdict[1:]


def test_both_roles_take_each_hosts_connection_variables_as_the_modules_options():
    # the reader reads the variables the role's module tasks used to set in module_defaults, and wolkvox_tokens
    from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils import _audit_read  # pylint: disable=import-outside-toplevel
    assert dict(_audit_read.HOST_VARIABLES) == {
        "server": "wolkvox_server", "token": "wolkvox_token", "timeout": "wolkvox_timeout",
        "retries": "wolkvox_retries", "validate_certs": "wolkvox_validate_certs", "ca_path": "wolkvox_ca_path"}
    assert _audit_read.TOKENS_VARIABLE == "wolkvox_tokens"
    options = yaml.safe_load(read("audit", "meta/argument_specs.yml"))["argument_specs"]["main"]["options"]
    for variable in list(dict(_audit_read.HOST_VARIABLES).values()) + [_audit_read.TOKENS_VARIABLE]:
        assert variable in options, variable
    # the provision role's one connection block sets the same options from the same variables
    blocks = [task["module_defaults"] for task in yaml.safe_load(read("provision", "tasks/main.yml"))
              if "module_defaults" in task]
    assert blocks == [{"group/wolkvox.wolkvox.wolkvox": dict(
        (option, "{{ %s | default(omit) }}" % variable) for option, variable in _audit_read.HOST_VARIABLES)}]


def test_make_docs_creates_the_home_it_runs_with():
    with open(os.path.join(ROLES, "..", "Makefile"), encoding="utf-8") as handle:
        makefile = handle.read()
    recipe = makefile.split("\ndocs:", 1)[1].split("\n\n", 1)[0]
    uses = recipe.index("$(TEST_ENV)")
    assert re.search(r"mkdir -p [^\n]*\$\(TEST_HOME\)", recipe[:uses]), recipe


def _audit_tasks():
    """The audit role's tasks, its imported task files opened (both verdicts)."""
    tasks = []
    for task in yaml.safe_load(read("audit", "tasks/main.yml")):
        imported = task.get("ansible.builtin.import_tasks", {}).get("file", "")
        if "verdict" in imported:  # one or the other, by ansible-core version
            assert imported == "{{ 'verdict.yml' if ansible_version.full is version('2.18', '>=') else " \
                               "'verdict_each_host.yml' }}"
            tasks.extend(yaml.safe_load(read("audit", "tasks/verdict.yml")))
            tasks.extend(yaml.safe_load(read("audit", "tasks/verdict_each_host.yml")))
        elif imported:
            tasks.extend(yaml.safe_load(read("audit", "tasks/" + imported)))
        else:
            tasks.append(task)
    return tasks


def _reader_tasks(tasks):
    return [task for task in tasks if "wolkvox.wolkvox.audit_read" in task]


def _module_tasks(tasks):
    """The tasks (blocks opened) that call a wolkvox module."""
    found = []
    for task in tasks:
        if "block" in task:
            found.extend(_module_tasks(task["block"]))
        elif any(key.startswith("wolkvox.wolkvox.wolkvox_") for key in task):
            found.append(task)
    return found


# -- provision: operations as code ------------------------------------------------------------------------------------

PROVISION_ORDER = ["wolkvox_allowed_ips", "wolkvox_agents", "wolkvox_skills", "wolkvox_activity_codes", "wolkvox_dnc",
                   "wolkvox_campaigns", "wolkvox_module"]


def _module_of(task):
    return next(key.split(".")[-1] for key in task if key.startswith("wolkvox.wolkvox.wolkvox_"))


def _spec_view(options):
    """An argument spec's options as the modules and the role's argument_specs both say them."""
    view = {}
    for name, spec in options.items():
        entry = {key: spec[key] for key in ("type", "required", "choices", "no_log", "elements") if spec.get(key)}
        if spec.get("options"):
            entry["options"] = _spec_view(spec["options"])
        view[name] = entry
    return view


def test_the_provision_declarations_take_the_resource_modules_item_options():
    from ansible_collections.wolkvox.wolkvox.plugins.module_utils import (  # pylint: disable=import-outside-toplevel
        _activity_codes, _agents, _allowed_ips, _campaigns, _dnc, _skills)
    options = yaml.safe_load(read("provision", "meta/argument_specs.yml"))["argument_specs"]["main"]["options"]
    for resource, logic in (("allowed_ips", _allowed_ips), ("agents", _agents), ("skills", _skills),
                            ("activity_codes", _activity_codes), ("dnc", _dnc), ("campaigns", _campaigns)):
        declared = options["wolkvox_provision_" + resource]
        assert (declared["type"], declared["elements"]) == ("list", "dict"), resource
        assert _spec_view(declared["options"]) == _spec_view(logic.ARGUMENT_SPEC["config"]["options"]), resource
    assert options["wolkvox_provision_agents"]["options"]["password"]["no_log"] is True


def test_provision_checks_every_declaration_before_any_api_call_then_follows_the_dependency_order():
    tasks = yaml.safe_load(read("provision", "tasks/main.yml"))
    plan, check = tasks[0], tasks[1]
    assert "wolkvox.wolkvox.provision_plan" in plan["ansible.builtin.set_fact"]["__provision_plan"]
    assert plan["no_log"] is True  # the declarations it keeps may hold passwords
    assert "ansible.builtin.assert" in check and check["any_errors_fatal"] is True  # one refused stops every one
    assert "__provision_plan.problems" in check["ansible.builtin.assert"]["that"]
    assert not _module_tasks([plan, check])
    assert [_module_of(task) for task in _module_tasks(tasks)] == PROVISION_ORDER
    with open(os.path.join(ROLES, "..", "playbooks", "provision.yml"), encoding="utf-8") as handle:
        assert yaml.safe_load(handle)[0]["any_errors_fatal"] is True  # so does a refusal of the argument specs


def test_provision_shows_its_diff_unless_told_otherwise_and_never_reports_its_reports_as_a_change():
    options = yaml.safe_load(read("provision", "meta/argument_specs.yml"))["argument_specs"]["main"]["options"]
    assert options["wolkvox_provision_secure_logging"]["default"] is False
    tasks = yaml.safe_load(read("provision", "tasks/main.yml"))
    writing = next(task for task in tasks if task["name"] == "Write the fleet change report")
    assert writing["check_mode"] is False and writing["changed_when"] is False and writing["run_once"] is True
    assert "os.replace(temporary, final)" in writing["ansible.builtin.command"]["argv"][2]


def test_the_export_playbook_reads_each_operation_once_and_targets_the_wolkvox_group():
    with open(os.path.join(ROLES, "..", "playbooks", "export.yml"), encoding="utf-8") as handle:
        play = yaml.safe_load(handle)[0]
    assert play["hosts"] == "{{ wolkvox_export_hosts | default(wolkvox_hosts | default('wolkvox')) }}"
    reads = [task for task in play["tasks"] if "wolkvox.wolkvox.wolkvox_operation_info" in task]
    assert len(reads) == 1 and reads[0]["delegate_to"] == "localhost"
    assert [task for task in play["tasks"] if any(key.startswith("wolkvox.wolkvox.wolkvox_") for key in task)] == reads
    for subset in ("allowed_ips", "agents", "skills", "activity_codes", "dnc", "campaigns"):
        assert subset in play["vars"]["__export_subsets"]
