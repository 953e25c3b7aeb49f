# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This plugin_utils is PRIVATE and for internal use only: its names may change without notice.

"""Operations as code: the provision role's checks and change report, and the export of an operation.

The provision role brings each operation's declared resources (``wolkvox_provision_<resource>``, in the ``config``
shape of the resource modules) to their declared state, in dependency order: allowed IPs, agents, skills (their
agents need the agents), activity codes, do-not-call numbers, campaigns (they name skills), then the module's state.

* :func:`plan` checks an operation's declarations with the resource modules' own validation (types, normalised
  values, duplicate keys, what would remove every item) and the role's settings, before any API call, and resolves
  the state of each declared resource (:func:`settings_problems` does it for several operations at once).
* :func:`operation` turns one operation's registered module results into its record: each declared resource's
  status (``unchanged``, ``changed``, ``drift`` in check mode, ``failed``, and ``blocked``, ``unknown``, ``not_run``),
  its ``changes`` (what was applied and what was not, on a failure) and its requests.
* :func:`fleet` gathers the records into one report (partial with ``--limit``, pending with ``serial``), and
  :func:`render` writes it as JSON, Markdown, JUnit XML or a self-contained HTML page.
* :func:`export` writes what ``wolkvox_operation_info`` read as the role's variables, a YAML file that provisioning
  with ``overridden`` right after leaves unchanged.
"""

import datetime
import html
import json
import os
import re

import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _activity_codes, _agents, _allowed_ips
from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _campaigns, _dnc, _resource, _skills
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import WolkvoxError
from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils._audit import clean

SCHEMA_VERSION = 1
# The declared resources, in the order the role provisions them: each one's prerequisites come before it.
RESOURCES = ("allowed_ips", "agents", "skills", "activity_codes", "dnc", "campaigns")
ALL = RESOURCES + ("module_state",)
STATES = ("merged", "replaced", "overridden")
DEFAULT_STATE = "merged"
# a resource whose items name items of another: in check mode, what the other would create is not there to name yet
DEPENDS_ON = {"skills": "agents", "campaigns": "skills"}
TITLES = {"allowed_ips": "Allowed IPs", "agents": "Agents", "skills": "Skills", "activity_codes": "Activity codes",
          "dnc": "Do-not-call numbers", "campaigns": "Campaigns", "module_state": "Module"}
CLASSES = {"allowed_ips": _allowed_ips.AllowedIps, "agents": _agents.Agents, "skills": _skills.Skills,
           "activity_codes": _activity_codes.ActivityCodes, "campaigns": _campaigns.Campaigns}
# the role's variable that confirms a declaration removing every item, by resource (the module's option)
CONFIRMS = {"agents": ("allow_disable_all", "wolkvox_provision_agents_allow_disable_all"),
            "dnc": ("allow_remove_all", "wolkvox_provision_dnc_allow_remove_all")}
FORMATS = {"json": "json", "markdown": "md", "junit": "junit.xml", "html": "html"}
# Statuses of an operation, worst last; a resource's status counts as its operation's through OPERATION_STATUS.
RANK = {"unchanged": 0, "changed": 1, "drift": 1, "failed": 2}
OPERATION_STATUS = {"unchanged": "unchanged", "unknown": "unchanged", "changed": "changed", "drift": "drift",
                    "blocked": "drift", "failed": "failed", "not_run": "failed"}
LISTED = 200  # changes listed per resource in the Markdown and HTML reports (the JSON has them all)
NOT_READABLE = ("the platform offers no read of the module's state: in check mode the switch to %s is predicted, not "
                "known, and nothing was sent")


class ProvisionError(ValueError):
    """Input the report cannot be built from."""


def variable(resource):
    return "wolkvox_provision_%s" % resource


def is_declared(value):
    """Whether a role variable declares its resource: unset (None, or '' from the role's default) leaves it alone."""
    return value is not None and not (isinstance(value, str) and value == "")


# -- the settings and declarations, checked before any API call ------------------------------------------------------

def states(state, declared=None):
    """{resource: state} for the declared resources (``declared``: their names, or all), from
    ``wolkvox_provision_state``: one state for all, or a mapping by resource (a resource it leaves out: merged).
    Raise ProvisionError saying what is accepted."""
    names = RESOURCES if declared is None else [name for name in RESOURCES if name in declared]
    if state is None or (isinstance(state, str) and state == ""):
        state = DEFAULT_STATE
    if isinstance(state, str):
        if state not in STATES:
            raise ProvisionError("wolkvox_provision_state is %r: give %s, or a mapping of resource to state such as "
                                 "{agents: overridden, dnc: merged}" % (state, ", ".join(STATES)))
        return dict((name, state) for name in names)
    if not isinstance(state, dict):
        raise ProvisionError("wolkvox_provision_state is a %s: give %s, or a mapping of resource to state"
                             % (type(state).__name__, ", ".join(STATES)))
    unknown = sorted(to_text(key) for key in state if key not in RESOURCES)
    if unknown:
        raise ProvisionError("wolkvox_provision_state names %s: its keys are %s"
                             % (", ".join(unknown), ", ".join(RESOURCES)))
    wrong = sorted("%s: %r" % (key, value) for key, value in state.items() if value not in STATES)
    if wrong:
        raise ProvisionError("wolkvox_provision_state has %s: each resource's state is one of %s"
                             % (", ".join(wrong), ", ".join(STATES)))
    return dict((name, state.get(name) or DEFAULT_STATE) for name in names)


def _words(message, resource):
    """A resource module's message in the words of the role's variables."""
    message = re.sub(r"\bconfig\b", variable(resource), message)
    if resource in CONFIRMS:
        option, role_variable = CONFIRMS[resource]
        message = message.replace(option, role_variable)
    return message


def declaration_problem(resource, config, state, confirm=False, generated_passwords_file=None):
    """What is wrong with one declared resource, checked by its module's own validation, or None."""
    params = dict(config=config, state=state)
    if resource in CONFIRMS:
        params[CONFIRMS[resource][0]] = bool(confirm)
    if resource == "agents" and generated_passwords_file:
        params["generated_passwords_file"] = generated_passwords_file
    try:
        if resource == "dnc":
            checker = _dnc.Dnc(params)
            checker.check_removal(state, checker.wanted(config, state), params)
        else:
            checker = CLASSES[resource](params)
            _resource.validate(checker, config, state, params)
            checker.check(params)
    except WolkvoxError as exc:
        return _words(exc.msg, resource)
    return None


def _plain_name(value):
    return isinstance(value, str) and value.strip() == value and value not in ("", ".", "..") and "/" not in value \
        and not value.startswith(".") and not re.search(r"[\x00-\x1f\x7f]", value)


def _report_dir_problem(path):
    """Why the reports cannot be written to ``path`` on this machine, or None."""
    name = "wolkvox_provision_report_dir"
    if not path or not str(path).strip():
        return "%s is empty: give a directory on the controller (it is created when missing)" % name
    full = os.path.realpath(str(path))
    if os.path.exists(full):
        if not os.path.isdir(full):
            return "%s %r is a file, not a directory" % (name, str(path))
        if not os.access(full, os.W_OK | os.X_OK):
            return "%s %r is not writable by this user on the controller" % (name, str(path))
        return None
    parent = os.path.dirname(full)
    while parent and not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent) or not os.access(parent, os.W_OK | os.X_OK):
        return "%s %r cannot be created: %r is not a directory this user can write to" % (name, str(path), parent)
    return None


def _host_value(host, name, default=None):
    """A variable of one host (a mapping, or Ansible's hostvars entry), or ``default``."""
    try:
        value = host[name] if name in host else default
    except (KeyError, TypeError):
        return default
    return default if value is None and default is not None else value


def settings_problems(settings, names=None, hosts=None):
    """What is wrong with the role's settings and with the declarations of each operation, before any API call.

    ``settings``: the role's ``__provision_settings`` (report directory, name and formats). ``names`` and ``hosts``:
    the play's operations and their variables (``hostvars`` entries), whose ``wolkvox_provision_*`` variables are
    checked with the resource modules' own validation. An empty list means nothing is wrong.
    """
    settings = settings or {}
    problems = []
    if "report_name" in settings and not _plain_name(settings.get("report_name")):
        problems.append("wolkvox_provision_report_name must be a plain file name (not empty, no '/', not starting with "
                        "'.', no surrounding spaces or control characters), not %r" % (settings.get("report_name"),))
    if "report_dir" in settings:
        problem = _report_dir_problem(settings.get("report_dir"))
        if problem:
            problems.append(problem)
    formats = settings.get("report_formats")
    if formats is not None and (not isinstance(formats, list) or any(item not in FORMATS for item in formats)):
        problems.append("wolkvox_provision_report_formats must list some of %s, not %r" % (", ".join(FORMATS), formats))
    for name, host in zip(names or [], hosts or []):
        problems.extend("%s: %s" % (name, problem) for problem in host_problems(host))
    return problems


# The role's argument specification, beside this collection's plugins
ROLE_SPEC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "roles", "provision", "meta",
                         "argument_specs.yml")
_ROLE_SPEC = {}


def role_spec():
    """The options of the role's argument specification (``meta/argument_specs.yml``), read once."""
    if "main" not in _ROLE_SPEC:
        with open(ROLE_SPEC, encoding="utf-8") as handle:
            _ROLE_SPEC["main"] = yaml.safe_load(handle)["argument_specs"]["main"]["options"]
    return _ROLE_SPEC["main"]


def argument_problems(arguments):
    """What the role's argument specification refuses in ``arguments`` (the host's variables it names), worded as
    ansible-core's validation of a role's arguments words it. The resource tasks' connection options are left to the
    modules, which check them before any request."""
    spec = dict((name, option) for name, option in role_spec().items() if name.startswith("wolkvox_provision_"))
    given = dict((name, value) for name, value in _plain(dict(arguments or {})).items() if name in spec)
    return list(ArgumentSpecValidator(spec).validate(given).error_messages)


def plan(settings, declared=None, arguments=None):
    """One operation's plan: {resource: its state, or '' when not declared}, ``module_state``, ``problems`` (what is
    wrong with the role's settings and the declarations, in the words of the role's variables; empty when none), and
    ``declared`` (the declared resources as plain data; empty when something is wrong).

    ``settings``: the role's ``__provision_settings`` (``state``, ``module_state``, ``agents_allow_disable_all``,
    ``dnc_allow_remove_all``, ``generated_passwords_file``, and the report settings); ``declared``: {resource: its
    variable's value} ('' or None when not set); ``arguments``: the host's ``wolkvox_provision_*`` variables as set,
    checked against the role's argument specification first (the collection playbook leaves that check to this
    task rather than adding a task per host for it)."""
    settings = _plain(dict(settings or {}))
    declared = _plain(dict(declared or {}))
    refused = argument_problems(arguments) if arguments is not None else []
    if refused:
        out = dict((name, "") for name in ALL)
        out.update(problems=["the role's argument specification refuses them: %s" % "; ".join(refused)], declared={})
        return out
    host = dict((variable(name), value) for name, value in declared.items() if name in RESOURCES)
    for key in ("state", "module_state", "agents_allow_disable_all", "dnc_allow_remove_all",
                "generated_passwords_file"):
        if key in settings:
            host[variable(key)] = settings[key]
    problems = settings_problems(dict((key, settings[key]) for key in ("report_dir", "report_name", "report_formats")
                                      if key in settings))
    problems.extend(host_problems(host))
    names = [name for name in RESOURCES if is_declared(declared.get(name))]
    try:
        result = states(settings.get("state"), names)
    except ProvisionError:
        result = dict((name, DEFAULT_STATE) for name in names)  # said in problems
    out = dict((name, result.get(name, "")) for name in RESOURCES)
    module_state = settings.get("module_state")
    out["module_state"] = module_state if module_state in ("enabled", "disabled") else ""
    out["problems"] = problems
    # the declarations as plain data, for the resource tasks; none when something is wrong
    out["declared"] = {} if problems else dict((name, declared[name]) for name in names)
    return out


def host_problems(host):
    """What is wrong with one operation's declarations (its variables: a mapping)."""
    problems = []
    declared = [name for name in RESOURCES if is_declared(_host_value(host, variable(name)))]
    try:
        wanted = states(_host_value(host, "wolkvox_provision_state"), declared)
    except ProvisionError as exc:
        problems.append(str(exc))
        wanted = dict((name, DEFAULT_STATE) for name in declared)
    module_state = _host_value(host, "wolkvox_provision_module_state")
    if is_declared(module_state) and module_state not in ("enabled", "disabled"):
        problems.append("wolkvox_provision_module_state is %r: give enabled or disabled, or leave it unset"
                        % (module_state,))
    generated = _host_value(host, "wolkvox_provision_generated_passwords_file")
    for name in declared:
        config = _host_value(host, variable(name))
        if not isinstance(config, list):
            problems.append("%s is a %s: give a list (of the items of %s)"
                            % (variable(name), type(config).__name__, "wolkvox.wolkvox.wolkvox_" + name))
            continue
        confirm = _host_value(host, CONFIRMS[name][1], False) if name in CONFIRMS else False
        problem = declaration_problem(name, config, wanted[name], confirm=_truthy(confirm),
                                      generated_passwords_file=generated if is_declared(generated) else None)
        if problem:
            problems.append(problem)
    return problems


def _truthy(value):
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "y", "t")
    return bool(value)


# -- one operation ---------------------------------------------------------------------------------------------------

def _skipped(result):
    return not isinstance(result, dict) or not result or bool(result.get("skipped"))


def _failed(resource, result):
    """Whether a registered result (failed_when: false keeps ``failed`` false) is a failure of its module."""
    if _skipped(result):
        return False
    if result.get("failed") or result.get("error_kind"):
        return True
    return "state" not in result if resource == "module_state" else "after" not in result


def _creates(result):
    return any(change.get("action") == "create" for change in (result or {}).get("changes") or []
               if isinstance(change, dict))


def _blocked(resource, result, results, check_mode):
    """In check mode, a resource that names items its prerequisite would create first cannot be predicted."""
    prerequisite = DEPENDS_ON.get(resource)
    return bool(check_mode and prerequisite and (result or {}).get("error_kind") == "bad_option"
                and (_creates(results.get(prerequisite)) or _blocked_before(prerequisite, results, check_mode)))


def _blocked_before(resource, results, check_mode):
    result = results.get(resource)
    return _failed(resource, result) and _blocked(resource, result, results, check_mode)


def halted(results, check_mode=False):
    """Whether an operation's provisioning stops before its next resource: one of ``results`` (a mapping of the
    resources provisioned so far to their registered results) failed; in check mode, a resource blocked by what its
    prerequisite would create does not stop it."""
    for resource, result in (results or {}).items():
        if _failed(resource, result) and not _blocked(resource, result, results, check_mode):
            return True
    return False


def _count(changes, applied):
    return sum(1 for change in changes if isinstance(change, dict) and change.get("applied") is applied)


def describe_change(change):
    """One change (an entry of a resource module's ``changes``) as a line of text, never a secret."""
    if not isinstance(change, dict):
        return to_text(change)
    action = to_text(change.get("action", "change"))
    if "direction" in change and "count" in change:  # do-not-call numbers, a request of up to 10,000
        numbers = [to_text(number) for number in change.get("numbers") or []]
        shown = ", ".join(numbers[:5]) + (", ..." if len(numbers) > 5 or change.get("truncated") else "")
        text = "%s %d %s number%s: %s" % (action, change["count"], change["direction"],
                                          "" if change["count"] == 1 else "s", shown)
    elif "codes" in change:  # activity codes removed, one request per group
        text = "%s %s codes %s" % (action, change.get("group", ""), ", ".join(to_text(code) for code in change["codes"]))
    else:
        text = "%s %s" % (action, to_text(change.get("key", "")))
        if isinstance(change.get("agent"), dict):
            agent = change["agent"]
            text += ": agent %s%s, expertise %s" % (agent.get("id"), " (dni %s)" % agent["dni"] if agent.get("dni")
                                                    else "", agent.get("expertise"))
        before, after = change.get("before"), change.get("after")
        if action in ("update", "speed") and isinstance(after, dict):
            fields = ["%s %s -> %s" % (field, _shown((before or {}).get(field)), _shown(value))
                      for field, value in after.items() if field in (before or {}) or action == "update"]
            text += ": " + ", ".join(fields)
        elif action in ("create", "add") and isinstance(after, dict):
            fields = ["%s %s" % (field, _shown(value)) for field, value in after.items()
                      if value not in ("", None) and value != change.get("key") and field not in ("group", "code")]
            if fields:
                text += " (" + ", ".join(fields) + ")"
        if change.get("msg"):
            text += ": " + to_text(change["msg"])
    if change.get("applied") is True:
        text += " [applied]"
    elif change.get("applied") is False:
        text += " [NOT applied]"
    if change.get("error"):
        text += " - error: " + to_text(change["error"])
    return text


def _shown(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value) if value == "" or value != value.strip() else value
    return json.dumps(value, sort_keys=True)


def _warnings(name, result):
    if not isinstance(result, dict):
        return []
    return ["%s: %s" % (name, warning) for warning in result.get("warnings") or [] if warning]


def _resource_record(resource, result, state, results, check_mode, stopped_by):
    record = {"resource": resource, "variable": variable(resource), "state": state, "changes": [], "applied": 0,
              "not_applied": 0, "api_calls": int((result or {}).get("api_calls") or 0) if isinstance(result, dict) else 0,
              "writes": 0}
    if _skipped(result):
        record.update(status="not_run", message="not run: %s" % (
            "%s of this operation failed first, so nothing after it was sent" % stopped_by if stopped_by
            else "the operation's tasks did not run"))
        return record
    changes = [change for change in result.get("changes") or [] if isinstance(change, dict)]
    if resource == "module_state" and "state" in result and not _failed(resource, result):
        wanted = result["state"]
        if check_mode:
            record.update(status="unknown", message=NOT_READABLE % wanted)
            return record
        record["writes"] = record["api_calls"]
        if result.get("changed"):
            changes = [{"action": "enable" if wanted == "enabled" else "disable", "key": "module",
                        "msg": to_text(result.get("msg") or "")}]
            record.update(status="changed", changes=changes, message="switched to %s: %s"
                          % (wanted, to_text(result.get("msg") or "")))
        else:
            record.update(status="unchanged", message="already %s: %s" % (wanted, to_text(result.get("msg") or "")))
        return record
    if _failed(resource, result):
        message = to_text(result.get("msg") or "the task failed with no message")
        record.update(changes=changes, applied=_count(changes, True), not_applied=_count(changes, False),
                      error_kind=result.get("error_kind") or "failed")
        if _blocked(resource, result, results, check_mode):
            record.update(status="blocked", message="cannot be predicted before the %s this run would create first "
                                                    "exist: %s" % (DEPENDS_ON[resource], _words(message, resource)))
            return record
        record["writes"] = 0 if check_mode else record["applied"]
        done = ("%d of %d changes applied before it stopped; " % (record["applied"], len(changes))) if changes else ""
        record.update(status="failed", message="FAILED: %s%s" % (done, message))
        return record
    record["changes"] = changes
    if not changes:
        record.update(status="unchanged", message="as declared" if not check_mode else "no drift: as declared")
    elif check_mode:
        record.update(status="drift", message="%s would be made" % _many(len(changes), "change"))
    else:
        record.update(status="changed", writes=len(changes), message="%s made" % _many(len(changes), "change"))
    return record


def operation(results, name, declared_states=None, check_mode=False):
    """One operation's record from its registered module results (a mapping of resource to result).

    ``declared_states``: {resource: state} of the declared resources (the module state as ``enabled`` or
    ``disabled``); a resource it does not name was left alone. A declared resource whose result is a skip did not run
    because one before it failed (``not_run``)."""
    declared_states = dict((key, value) for key, value in (declared_states or {}).items() if is_declared(value))
    results = dict(results or {})
    records, stopped_by = [], None
    for resource in ALL:
        if resource not in declared_states:
            continue
        result = results.get(resource)
        record = _resource_record(resource, result, declared_states[resource], results, check_mode, stopped_by)
        record["warnings"] = _warnings(name, result)
        records.append(record)
        if record["status"] == "failed" and stopped_by is None:
            stopped_by = resource.replace("_", " ")
    failed = [record for record in records if record["status"] == "failed"]
    statuses = [OPERATION_STATUS[record["status"]] for record in records]
    status = max(statuses, key=RANK.__getitem__) if statuses else "unchanged"
    if status == "changed" and check_mode:
        status = "drift"
    parts = ["%s: %s" % (TITLES[record["resource"]].lower(), record["message"]) for record in records
             if record["status"] != "unchanged"]
    if not records:
        summary = "nothing declared, left alone"
    elif parts:
        summary = "; ".join(parts)
    else:
        summary = "%s as declared" % _many(len(records), "resource")
    return clean({
        "operation": name,
        "status": status,
        "summary": "%s: %s - %s" % (name, status, summary),
        "failure": "%s (%s)" % (failed[0]["message"], failed[0]["variable"]) if failed else None,
        "check_mode": bool(check_mode),
        "api_calls": sum(record["api_calls"] for record in records),
        "writes": sum(record["writes"] for record in records),
        "changes": sum(len(record["changes"]) for record in records),
        "warnings": [warning for record in records for warning in record["warnings"]],
        "resources": records,
        "left_alone": [resource for resource in ALL if resource not in declared_states],
    })


# the role's registered results and plan, by the names its tasks give them
ROLE_RESULTS = dict((resource, "__provision_" + resource) for resource in ALL)
ROLE_PLAN = "__provision_plan"


def operations(hosts, hostvars, check_mode=False):
    """The records of ``hosts`` (the play's batch), each from that host's registered results of the provision role
    (``ROLE_RESULTS``) and its plan (``ROLE_PLAN``): one task on the controller for the whole batch, rather than a task
    per host. A host without a plan (its tasks did not run) has no record: fleet() reports it as failed."""
    records = []
    for name in hosts or []:
        variables = hostvars[name]
        try:
            plan_ = variables[ROLE_PLAN]
        except KeyError:
            continue
        results = {}
        for resource, variable in ROLE_RESULTS.items():
            try:
                results[resource] = variables[variable]
            except KeyError:
                pass
        records.append(operation(results, to_text(name), plan_, check_mode))
    return records


def _not_run(name, check_mode):
    why = "not provisioned: the operation's tasks did not run (the host failed earlier in the play)"
    return {"operation": name, "status": "failed", "check_mode": bool(check_mode), "api_calls": 0, "writes": 0,
            "changes": 0, "warnings": [], "resources": [], "left_alone": [], "failure": "FAILED: " + why,
            "summary": "%s: failed - %s" % (name, why)}


# -- the fleet ---------------------------------------------------------------------------------------------------------

def collect(state, records, key=None):
    """The records so far in this run, for a play whose batches (``serial``) each add their own (see the audit's)."""
    if not isinstance(state, dict) or state.get("key") != key:
        state = {}
    done = dict(state.get("records") or {})
    fresh = dict((record["operation"], record) for record in records or []
                 if isinstance(record, dict) and record.get("operation"))
    if any(name in done for name in fresh):
        done = {}
    done.update(fresh)
    return {"key": key, "records": done}


def _names(value):
    return [to_text(name) for name in value] if value is not None else None


def fleet(records, hosts=None, check_mode=False, fail_on_drift=False, active=None, batch=None, group=None,
          group_hosts=None, limit=None, run_id=None, now=None):
    """The fleet change report: every operation of ``hosts`` provisioned so far, and a summary.

    As the audit's fleet report: an operation of ``hosts`` with no record is ``failed`` (its tasks did not run),
    unless ``active`` and ``batch`` show that it waits for a later ``serial`` batch (pending); ``group_hosts`` (the
    hosts of the fleet's group ``group``) left out of ``hosts`` make the report partial."""
    now = now or datetime.datetime.now()
    by_name = dict((record["operation"], record) for record in records or []
                   if isinstance(record, dict) and record.get("operation"))
    names = _names(hosts) if hosts is not None else sorted(by_name)
    active = set(_names(active)) if active is not None else None
    batch = set(_names(batch) or [])
    operations, pending = [], []
    for name in names:
        record = by_name.get(name)
        if record is None and active is not None and name in active and name not in batch:
            pending.append(name)
            continue
        operations.append(record if record is not None else _not_run(name, check_mode))
    limit = limit or None
    if group_hosts is not None:
        missing = [name for name in _names(group_hosts) if name not in names]
    else:
        missing = None if limit is not None else []
    limited = bool(missing) or (missing is None and limit is not None)
    reasons = []
    if missing:
        reasons.append("%d of the %d operations of the inventory group %s are not in this run%s: %s"
                       % (len(missing), len(group_hosts), group, " (--limit %s)" % limit if limit else "",
                          ", ".join(missing)))
    elif missing is None and limit is not None:
        reasons.append("the run was restricted with --limit %s, and the inventory has no group %s to tell which "
                       "operations were left out" % (limit, group))
    if pending:
        reasons.append("%d operations of this run are not provisioned yet (later serial batches): %s"
                       % (len(pending), ", ".join(pending)))
    counts = dict((status, sum(1 for op in operations if op["status"] == status)) for status in RANK)
    statuses = [op["status"] for op in operations]
    worst = max(statuses, key=RANK.__getitem__) if statuses else "unchanged"
    failing = [op["operation"] for op in operations
               if op["status"] == "failed" or (fail_on_drift and op["status"] == "drift")]
    return clean({
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "generated_at": now.strftime("%Y-%m-%dT%H:%M:%S"),
        "check_mode": bool(check_mode),
        "fail_on_drift": bool(fail_on_drift),
        "partial": bool(reasons),
        "partial_reasons": reasons,
        "limited": limited,
        "limit": limit,
        "fleet_group": group,
        "missing_operations": None if missing is None else len(missing),
        "missing": missing,
        "pending_operations": len(pending),
        "pending": pending,
        "summary": dict(counts, operations=len(operations), status=worst,
                        api_calls=sum(op["api_calls"] for op in operations),
                        writes=sum(op["writes"] for op in operations),
                        changes=sum(op["changes"] for op in operations)),
        "failing": failing,
        "warnings": [warning for op in operations for warning in op.get("warnings") or []],
        "operations": operations,
    })


def _many(count, word):
    return "%d %s%s" % (count, word, "" if count == 1 else "s")


def summary_lines(report):
    """The fleet summary the role shows, one line each."""
    summary = report["summary"]
    mode = " (check mode: nothing was written)" if report["check_mode"] else ""
    lines = ["%s%s: %d unchanged, %d %s, %d failed; %s, %s, %s%s"
             % (_many(summary["operations"], "operation"), mode, summary["unchanged"],
                summary["drift"] if report["check_mode"] else summary["changed"],
                "with drift" if report["check_mode"] else "changed", summary["failed"],
                _many(summary["api_calls"], "API call"), _many(summary["writes"], "write"),
                _many(summary["changes"], "change"), " predicted" if report["check_mode"] else "")]
    lines.extend("PARTIAL REPORT: " + reason for reason in report["partial_reasons"])
    lines.extend(op["summary"] for op in report["operations"])
    lines.extend("warning for " + warning for warning in report["warnings"])
    return lines


# -- the reports -------------------------------------------------------------------------------------------------------

def junit_outcome(record, check_mode):
    """(kind, type, message) of one resource's test case: kind is None (passed), failure or skipped."""
    status = record["status"]
    if status in ("drift", "blocked"):
        return "failure", "drift", record["message"]
    if status == "failed":
        return "failure", "failed", record["message"]
    if status in ("not_run", "unknown"):
        return "skipped", None, record["message"]
    return None, None, record["message"]


def junit_cases(report):
    """The JUnit test cases: (operation, name, kind, type, message, text), one per operation and declared resource
    (an operation with none declared, or whose tasks did not run: one case, ``provision``)."""
    cases = []
    for op in report["operations"]:
        if not op["resources"]:
            if op["status"] == "failed":
                cases.append((op["operation"], "provision", "failure", "failed", op["summary"], op["summary"]))
            else:
                cases.append((op["operation"], "provision", "skipped", None, "nothing declared, left alone", ""))
            continue
        for record in op["resources"]:
            kind, kind_type, message = junit_outcome(record, report["check_mode"])
            text = "\n".join(describe_change(change) for change in record["changes"])
            cases.append((op["operation"], record["resource"], kind, kind_type, message, text))
    return cases


def junit_counts(report):
    """{tests, failures, errors, skipped} of the JUnit report."""
    cases = junit_cases(report)
    return {"tests": len(cases), "failures": sum(1 for case in cases if case[2] == "failure"), "errors": 0,
            "skipped": sum(1 for case in cases if case[2] == "skipped")}


def _attr(value):
    return html.escape(to_text(value), quote=True)


def render_junit(report):
    counts = junit_counts(report)
    totals = 'tests="%(tests)d" failures="%(failures)d" errors="%(errors)d" skipped="%(skipped)d"' % counts
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<testsuites name="wolkvox provision" %s>' % totals,
             '  <testsuite name="wolkvox provision" timestamp="%s" %s>' % (_attr(report["generated_at"]), totals),
             "    <properties>"]
    properties = [("run_id", report["run_id"]), ("schema_version", report["schema_version"]),
                  ("check_mode", "true" if report["check_mode"] else "false"),
                  ("partial", "true" if report["partial"] else "false")]
    properties += [("partial_reason", reason) for reason in report["partial_reasons"]]
    properties += [("missing_operations", report["missing_operations"] if report["missing_operations"] is not None
                    else "unknown"), ("pending_operations", report["pending_operations"]),
                   ("api_calls", report["summary"]["api_calls"]), ("writes", report["summary"]["writes"])]
    lines.extend('      <property name="%s" value="%s"/>' % (name, _attr(value)) for name, value in properties)
    lines.append("    </properties>")
    for operation_name, name, kind, kind_type, message, text in junit_cases(report):
        lines.append('    <testcase classname="%s" name="%s">' % (_attr(operation_name), _attr(name)))
        if kind == "failure":
            lines.append('      <failure type="%s" message="%s">%s</failure>'
                         % (kind_type, _attr(message), html.escape(message + ("\n" + text if text else ""), quote=False)))
        elif kind == "skipped":
            lines.append('      <skipped message="%s"/>' % _attr(message))
        else:
            lines.append("      <system-out>%s</system-out>" % html.escape(message + ("\n" + text if text else ""),
                                                                           quote=False))
        lines.append("    </testcase>")
    lines += ["  </testsuite>", "</testsuites>"]
    return "\n".join(lines) + "\n"


def _md(value):
    return to_text(value).replace("|", "\\|").replace("\n", " ")


def _cell(op, resource):
    for record in op["resources"]:
        if record["resource"] == resource:
            if record["status"] in ("changed", "drift"):
                return "%s: %d" % (record["status"], len(record["changes"]))
            return record["status"].upper() if record["status"] in ("failed", "blocked") else record["status"]
    return "-"


def _title(report):
    head = "wolkvox provision: %s" % report["summary"]["status"]
    if report["check_mode"]:
        head += " (check mode)"
    if report["partial"]:
        head += " (partial report)"
    return head


def render_markdown(report):
    summary = report["summary"]
    out = ["# %s" % _title(report), ""]
    if report["partial"]:
        out += ["**Partial report:** %s." % _md("; ".join(report["partial_reasons"])), ""]
    if report["check_mode"]:
        out += ["Check mode: the drift of each operation, what a run would change. Nothing was written.", ""]
    out += ["%d operations: %d unchanged, %d changed, %d with drift, %d failed. %d API calls, %d writes."
            % (summary["operations"], summary["unchanged"], summary["changed"], summary["drift"], summary["failed"],
               summary["api_calls"], summary["writes"]),
            "Generated %s. Run id: `%s` (the same in the four reports of one run)."
            % (report["generated_at"], report["run_id"]), ""]
    out.append("| Operation | Status | " + " | ".join(TITLES[resource] for resource in ALL) + " | API calls | Writes |")
    out.append("|---|---|" + "---|" * len(ALL) + "---|---|")
    for op in report["operations"]:
        out.append("| %s | %s | %s | %d | %d |" % (
            _md(op["operation"]), op["status"].upper() if op["status"] == "failed" else op["status"],
            " | ".join(_cell(op, resource) for resource in ALL), op["api_calls"], op["writes"]))
    details = [op for op in report["operations"]
               if op["status"] != "unchanged" or any(record["changes"] for record in op["resources"])]
    out += ["", "## %s" % ("Drift" if report["check_mode"] else "Changes"), ""]
    if not details:
        out.append("None: every declared resource of every operation is as declared.")
    for op in details:
        out += ["### %s: %s" % (_md(op["operation"]), op["status"]), ""]
        if not op["resources"]:
            out += [_md(op["summary"]), ""]
        for record in op["resources"]:
            if record["status"] == "unchanged":
                continue
            out.append("- **%s** (`%s`, %s): %s"
                       % (TITLES[record["resource"]], record["variable"], record["state"], _md(record["message"])))
            for change in record["changes"][:LISTED]:
                out.append("  - %s" % _md(describe_change(change)))
            if len(record["changes"]) > LISTED:
                out.append("  - ... and %d more (see the JSON report)" % (len(record["changes"]) - LISTED))
        out.append("")
    if report["warnings"]:
        out += ["## Warnings", ""] + ["- %s" % _md(warning) for warning in report["warnings"]] + [""]
    drift = ", and so do those with drift (wolkvox_provision_fail_on_drift)" if report["fail_on_drift"] else ""
    out.append("Failed operations fail the play%s." % drift)
    return "\n".join(out) + "\n"


COLORS = {"unchanged": "#1a7f37", "changed": "#0b57d0", "drift": "#b58100", "failed": "#c62828", "blocked": "#b58100",
          "unknown": "#5f6368", "not_run": "#5f6368"}


def render_html(report):
    esc = _attr
    summary = report["summary"]
    out = ['<!DOCTYPE html>', '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<meta name="wolkvox-provision-run-id" content="%s">' % esc(report["run_id"]),
           "<title>%s (%s)</title>" % (esc(_title(report)), esc(report["generated_at"])),
           "<style>",
           "body { font-family: -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; margin: 2rem auto; "
           "max-width: 1180px; color: #202124; padding: 0 1rem; }",
           "h1 { font-size: 1.6rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #dadce0; }",
           ".meta { color: #5f6368; font-size: .9rem; } .cards { display: flex; gap: .8rem; margin: 1.2rem 0; }",
           ".card { border-radius: 8px; padding: .7rem 1.1rem; color: #fff; min-width: 110px; }",
           ".card b { display: block; font-size: 1.6rem; }",
           "table { border-collapse: collapse; width: 100%; font-size: .9rem; }",
           "th, td { text-align: left; padding: .4rem .55rem; border-bottom: 1px solid #ececec; vertical-align: top; }",
           "th { background: #f6f8fa; } .num { text-align: right; }",
           ".badge { border-radius: 10px; padding: .1rem .55rem; color: #fff; font-size: .8rem; white-space: nowrap; }",
           ".partial { border-left: 4px solid #b58100; background: #fff8e1; padding: .6rem 1rem; }",
           "ul.changes { margin: .3rem 0 .8rem; font-family: ui-monospace, monospace; font-size: .82rem; }",
           "footer { margin-top: 2.5rem; color: #5f6368; font-size: .85rem; }",
           "</style>", "</head>", "<body>"]
    out.append('<h1>wolkvox provision: <span class="badge" style="background: %s">%s</span>%s</h1>'
               % (COLORS[summary["status"]], esc(summary["status"]), " (check mode)" if report["check_mode"] else ""))
    out.append('<div class="meta">%d operations &middot; %d API calls &middot; %d writes &middot; generated %s '
               '&middot; run id <code id="run-id">%s</code></div>'
               % (summary["operations"], summary["api_calls"], summary["writes"], esc(report["generated_at"]),
                  esc(report["run_id"])))
    if report["check_mode"]:
        out.append("<p>Check mode: the drift of each operation, what a run would change. Nothing was written.</p>")
    if report["partial"]:
        out.append('<p id="partial" class="partial"><b>Partial report:</b> %s.</p>'
                   % esc("; ".join(report["partial_reasons"])))
    out.append('<div class="cards">')
    for status in ("unchanged", "changed", "drift", "failed"):
        out.append('  <div class="card" style="background: %s"><b>%d</b>%s</div>'
                   % (COLORS[status], summary[status], status))
    out.append("</div>")
    out.append('<h2>Operations</h2>\n<table id="operations">')
    heads = "".join("<th>%s</th>" % esc(TITLES[resource]) for resource in ALL)
    out.append("<tr><th>Operation</th><th>Status</th>" + heads
               + '<th class="num">API calls</th><th class="num">Writes</th></tr>')
    for op in report["operations"]:
        out.append('<tr data-status="%s"><td>%s</td><td><span class="badge" style="background: %s">%s</span></td>%s'
                   '<td class="num">%d</td><td class="num">%d</td></tr>'
                   % (esc(op["status"]), esc(op["operation"]), COLORS[op["status"]], esc(op["status"]),
                      "".join("<td>%s</td>" % esc(_cell(op, resource)) for resource in ALL), op["api_calls"],
                      op["writes"]))
    out.append("</table>")
    out.append("<h2>%s</h2>" % ("Drift" if report["check_mode"] else "Changes"))
    shown = 0
    for op in report["operations"]:
        records = [record for record in op["resources"] if record["status"] != "unchanged"]
        if not records and op["status"] == "unchanged":
            continue
        shown += 1
        out.append('<details open class="operation"><summary><b>%s</b>: %s</summary>' % (esc(op["operation"]),
                                                                                         esc(op["status"])))
        if not op["resources"]:
            out.append("<p>%s</p>" % esc(op["summary"]))
        for record in records:
            out.append('<p><span class="badge" style="background: %s">%s</span> <b>%s</b> (<code>%s</code>, %s): %s</p>'
                       % (COLORS[record["status"]], esc(record["status"]), esc(TITLES[record["resource"]]),
                          esc(record["variable"]), esc(record["state"]), esc(record["message"])))
            if record["changes"]:
                items = ["<li>%s</li>" % esc(describe_change(change)) for change in record["changes"][:LISTED]]
                if len(record["changes"]) > LISTED:
                    items.append("<li>... and %d more (see the JSON report)</li>" % (len(record["changes"]) - LISTED))
                out.append('<ul class="changes">%s</ul>' % "".join(items))
        out.append("</details>")
    if not shown:
        out.append("<p>None: every declared resource of every operation is as declared.</p>")
    if report["warnings"]:
        items = "".join("<li>%s</li>" % esc(warning) for warning in report["warnings"])
        out.append("<h2>Warnings</h2><ul>%s</ul>" % items)
    out.append("<footer>wolkvox.wolkvox provision role &middot; run id %s &middot; schema version %d</footer>"
               % (esc(report["run_id"]), report["schema_version"]))
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def render(report, fmt):
    """The report in one format: json, markdown, junit or html."""
    if fmt == "json":
        return json.dumps(report, indent=4, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "junit":
        return render_junit(report)
    if fmt == "html":
        return render_html(report)
    raise ProvisionError("no report format %r: give one of %s" % (fmt, ", ".join(FORMATS)))


# -- export ----------------------------------------------------------------------------------------------------------

# The attributes each resource's items are written with, in order (the module's: its key first). Read-only ids are
# left out, except where they tell apart items the platform holds twice under one key.
FIELDS = {
    "allowed_ips": ("ip", "permanent", "description"),
    "agents": ("dni", "name", "sso", "enabled"),
    "skills": ("name", "description", "agents"),
    "activity_codes": ("group", "code", "description", "hit", "rpc", "chat", "studio", "voice", "interactions"),
    "dnc": ("phone", "direction"),
    "campaigns": ("name", "type", "description", "skill", "start_time", "end_time", "status", "speed"),
}
KEYS = {"allowed_ips": ("ip",), "agents": ("dni",), "skills": ("name",), "activity_codes": ("group", "code"),
        "dnc": ("direction", "phone"), "campaigns": ("name",)}
EXPORT_HEADER_END = "---\n"


class _Dumper(yaml.SafeDumper):
    """Strings made of digits and signs (a dni, a code, a phone number, a time) always quoted, so that an edit keeps
    them text."""


def _represent_str(dumper, value):
    if re.match(r"^[0-9:+.\- ]*$", value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_str(value)


_Dumper.add_representer(str, _represent_str)


def _flow(value):
    return yaml.dump(value, Dumper=_Dumper, default_flow_style=True, sort_keys=False, width=float("inf"),
                     allow_unicode=True).strip()


def _scalar(value):
    return _flow([value])[1:-1]


def _plain(value):
    """``value`` with Ansible's own types (tagged, lazy or unsafe strings, lists and mappings) made plain Python ones:
    the YAML dumper knows them, and they are far cheaper to walk. Other values (a date) are kept as they are."""
    if isinstance(value, str):
        # Ansible's string types override encode() and decode() to keep their own type
        return bytes.decode(str.encode(value, "utf-8", "surrogateescape"), "utf-8", "surrogateescape")
    if isinstance(value, dict):
        return dict((_plain(key), _plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def _ordered(resource, item, keep=()):
    out = dict((field, item[field]) for field in FIELDS[resource] if item.get(field) is not None)
    for field in keep:
        if item.get(field) is not None:
            out[field] = item[field]
    return out


def _twice(items, field):
    seen = {}
    for item in items:
        key = item.get(field)
        seen[key] = seen.get(key, 0) + 1
    return set(key for key, count in seen.items() if count > 1)


def export_items(data):
    """{resource: items} to write, from the result of wolkvox_operation_info: only the resources it read."""
    data = _plain(data or {})
    out = {}
    agents = data.get("agents")
    skills = data.get("skills")
    if "allowed_ips" in data:
        out["allowed_ips"] = [_ordered("allowed_ips", item) for item in data["allowed_ips"] or []]
    if agents is not None:
        twice = _twice(agents, "dni")
        out["agents"] = [_ordered("agents", item, ("id",) if item.get("dni") in twice else ())
                         for item in agents]
    if skills is not None:
        dnis = dict((item.get("id"), item.get("dni")) for item in agents or [])
        ambiguous = _twice(agents or [], "dni")
        twice = _twice(skills, "name")
        out["skills"] = []
        for item in skills:
            members = []
            for member in item.get("agents") or []:
                dni = dnis.get(member.get("id"))
                if dni and dni not in ambiguous:
                    members.append({"dni": dni, "expertise": member.get("expertise")})
                else:  # no agents read, an agent the platform no longer lists, or a dni two agents have
                    members.append({"id": member.get("id"), "expertise": member.get("expertise")})
            members.sort(key=lambda member: (member.get("dni") is None, to_text(member.get("dni") or member.get("id"))))
            skill = _ordered("skills", dict(item, agents=members), ("id",) if item.get("name") in twice else ())
            out["skills"].append(skill)
    if "activity_codes" in data:
        out["activity_codes"] = [_ordered("activity_codes", item) for item in data["activity_codes"] or []]
    if "dnc" in data:
        out["dnc"] = [_ordered("dnc", item) for item in data["dnc"] or []]
    if "campaigns" in data:
        names = {}
        for item in skills or []:
            names.setdefault(item.get("name"), []).append(item.get("id"))
        by_id = dict((item.get("id"), item.get("name")) for item in skills or [])
        twice = _twice(data["campaigns"] or [], "name")
        out["campaigns"] = []
        for item in data["campaigns"] or []:
            item = dict(item)
            skill = item.get("skill")
            name = by_id.get(skill)
            if skill and name and len(names.get(name, [])) == 1 and not name.isdigit():
                item["skill"] = name  # a skill is named by its name where the name tells it alone
            out["campaigns"].append(_ordered("campaigns", item, ("id",) if item.get("name") in twice else ()))
    for resource, items in out.items():
        items.sort(key=lambda item, keys=KEYS[resource]: _sort_key(resource, item, keys))
    return out


def _sort_key(resource, item, keys):
    values = []
    for key in keys:
        value = to_text(item.get(key) if item.get(key) is not None else "")
        if resource == "activity_codes" and key == "group":
            value = "0" if value == "main" else "1" + value
        if resource == "dnc" and key == "phone":
            value = "%020d" % int(value) if value.isdigit() else value
        values.append(value)
    values.append(to_text(item.get("id") or ""))
    return tuple(values)


def export_body(data):
    """The YAML variables of an export, sorted and stable: the same read gives the same text."""
    items = export_items(data)
    lines = []
    names = {}
    for resource, resource_items in items.items():
        names[variable(resource)] = resource_items
        if not resource_items and resource in CONFIRMS:
            names[CONFIRMS[resource][1]] = True
    for name in sorted(names):
        value = names[name]
        if value is True:
            lines.append("%s: true  # the operation has none: keep it so with overridden" % name)
            continue
        if not value:
            lines.append("%s: []" % name)
            continue
        lines.append("%s:" % name)
        for item in value:
            if name == variable("skills"):
                fields = list(item.items())
                for position, (field, field_value) in enumerate(fields):
                    lead = "  - " if position == 0 else "    "
                    if field == "agents":
                        if not field_value:
                            lines.append("%sagents: []" % lead)
                            continue
                        lines.append("%sagents:" % lead)
                        lines.extend("      - %s" % _flow(member) for member in field_value)
                    else:
                        lines.append("%s%s: %s" % (lead, field, _scalar(field_value)))
            else:
                lines.append("  - %s" % _flow(item))
    return "\n".join(lines) + "\n"


def export(data, name, exported_at=None, previous=None):
    """The file ``<operation>.yml`` of an export: a commented header (the date, the API calls spent, the subsets),
    then the provision role's variables (:func:`export_body`). When ``previous`` (the file as it is) holds the same
    variables, it is returned as it is, so that an export of an operation that did not change writes nothing."""
    data = _plain(data or {})
    body = export_body(data)
    if previous and EXPORT_HEADER_END in previous and previous.split(EXPORT_HEADER_END, 1)[1] == body:
        return previous
    subsets = [subset for subset in data.get("gather_subset") or [] if subset in RESOURCES]
    header = [
        "# wolkvox operation %s: its configuration as variables of the wolkvox.wolkvox.provision role" % name,
        "# exported %s by wolkvox.wolkvox.export with %d API calls (%s)"
        % (exported_at or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), int(data.get("api_calls") or 0),
           ", ".join(subsets) or "nothing read"),
        "# No token and no password here: keep the connection settings (vaulted) in the inventory, and this file as the",
        "# host's variables (host_vars/%s.yml). Drift: ansible-playbook wolkvox.wolkvox.provision --check --diff" % name,
        "# -e wolkvox_provision_state=overridden; the agents' passwords cannot be read, so none is declared.",
    ]
    return "\n".join(clean(line) for line in header) + "\n" + EXPORT_HEADER_END + body


def export_problems(settings):
    """What is wrong with the export playbook's settings (``dir``, ``subsets``, ``operations``), before any API call."""
    settings = settings or {}
    problems = []
    path = settings.get("dir")
    if not path or not to_text(path).strip():
        problems.append("wolkvox_export_dir is not set: give the directory to write <operation>.yml to, with "
                        "-e wolkvox_export_dir=DIR (it is created when missing)")
    else:
        problem = _report_dir_problem(path)
        if problem:
            problems.append(problem.replace("wolkvox_provision_report_dir", "wolkvox_export_dir"))
    subsets = settings.get("subsets")
    if not isinstance(subsets, list) or not subsets or any(subset not in RESOURCES for subset in subsets):
        problems.append("wolkvox_export_subsets must list some of %s, not %r" % (", ".join(RESOURCES), subsets))
    bad = [to_text(name) for name in settings.get("operations") or [] if not _plain_name(to_text(name))]
    if bad:
        problems.append("these operations' names cannot name a file (<operation>.yml): %s" % ", ".join(bad))
    return problems
