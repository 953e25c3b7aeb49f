# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This plugin_utils is PRIVATE and for internal use only: its names may change without notice.

"""The audit's reading: every operation of a play at once, in threads of one controller process.

Each operation is read as the audit role's module tasks read it (wolkvox_token_info, then
wolkvox_routing_points_info unless the first call showed that the second could only fail), with the same logic,
through ``_runner.execute`` and a ``WolkvoxClient`` of its own, and judged with ``_audit.operation``.

Concurrency: at most ``concurrency`` operations are read at once. An operation's two calls are sequential, so
it holds at most one request in flight; operations that share a token take a slot of the token's semaphore
(``max_concurrent_requests``, two by default) for the whole of their reading, so no more than that many requests of
one token are ever in flight from this process, even without the client's limiter. Across processes (other
forks, other ansible-playbook runs of this user), the client's limiter holds as for any module: its slots are
``flock`` locks taken on file descriptors of their own, which exclude each other between threads of one process
too.

Connection settings are each operation's own, as its tasks would see them: its host's variables in the play
(``wolkvox_server``, ``wolkvox_token``, ``wolkvox_timeout``, ``wolkvox_retries``, ``wolkvox_validate_certs``,
``wolkvox_ca_path``), templated in that host's context, then ``wolkvox_tokens[operation]`` when
``wolkvox_token`` is not set, then the modules' environment fallbacks (``WOLKVOX_SERVER``, ``WOLKVOX_TOKEN``...).
A host with ``wolkvox_platform: crm`` is a CRM operation: ``wolkvox_operation`` names it in the CRM, and it is read
with one call, the CRM's token information (a CRM operation has no routing points).

With a history (``wolkvox_audit_history``), the readings of today are read back from it, each record gets its trend
and projection, and this run's lines are appended, once per operation (each ``serial`` batch reads and writes its
own operations): see _audit_history.
"""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _routing_points_info, _token_info
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import Redactor, SharedTLSContexts, WolkvoxError
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._runner import argument_spec, execute, spec_checks
from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils import _audit, _audit_history
from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils._fast_path import validation_findings

DEFAULT_CONCURRENCY = 32
MAX_CONCURRENCY = _audit.MAX_CONCURRENCY

# option of the modules: the host variable that sets it (as the role's module_defaults did)
HOST_VARIABLES = (
    ("server", "wolkvox_server"),
    ("token", "wolkvox_token"),
    ("timeout", "wolkvox_timeout"),
    ("retries", "wolkvox_retries"),
    ("validate_certs", "wolkvox_validate_certs"),
    ("ca_path", "wolkvox_ca_path"),
)
TOKENS_VARIABLE = "wolkvox_tokens"
PLATFORM_VARIABLE = "wolkvox_platform"  # contact_center (the default) or crm
OPERATION_VARIABLE = "wolkvox_operation"  # the CRM operation's name, for wolkvox_platform: crm
_PLAIN = (str, bool, int, float, list, dict, type(None))


# -- ansible-core internals, in one place --------------------------------------------------------------------
# Checked with ansible-core 2.16 and 2.21 (tests/system/test_slicing.py and the molecule scenarios run the audit).


def variable_manager_of(hostvars):
    """(variable manager, inventory) behind ``hostvars`` (``HostVars._variable_manager``, ``HostVars._inventory``),
    with which a host's variables are computed as the strategy computes them before a task; (None, None) when an
    ansible-core no longer has them, and then each host's variables come without the play's (``hostvars``)."""
    return getattr(hostvars, "_variable_manager", None), getattr(hostvars, "_inventory", None)


class HostVariables:
    """Each host's variables as its own task would see them, templated on demand in that host's context."""

    def __init__(self, task_vars, task, templar):
        self._task = task
        self._templar = templar
        self._hostvars = task_vars.get("hostvars")
        self._manager, self._inventory = variable_manager_of(self._hostvars)
        self._play = getattr(task, "play", None)
        self._hosts = list(task_vars.get("ansible_play_batch") or [])
        self._hosts_all = list(task_vars.get("ansible_play_hosts_all") or [])
        self._this_host = task_vars.get("inventory_hostname")
        self._task_vars = task_vars

    def of(self, name):
        """(variables, templar) of host ``name``."""
        if name == self._this_host:
            variables = self._task_vars
        elif self._manager is not None and self._inventory is not None and self._play is not None:
            host = self._inventory.get_host(name)
            if host is None:
                raise AnsibleError("%s is not a host of the inventory" % name)
            # what the strategy computes for each host before it runs a task there
            variables = self._manager.get_vars(play=self._play, host=host, task=self._task, include_hostvars=True,
                                               _hosts=self._hosts or None, _hosts_all=self._hosts_all or None)
        else:  # no variable manager in sight: the host's variables without the play's (hostvars)
            variables = self._hostvars.raw_get(name)
        return variables, self._templar.copy_with_new_env(available_variables=variables)


def _plain(value):
    """A templated value as the modules would receive it: a vaulted string decrypted, the rest as it is."""
    return value if isinstance(value, _PLAIN) else to_text(value)


def _defined(variables, name):
    try:
        return name in variables
    except TypeError:
        return False


def _templated(variables, templar, name):
    value = _plain(templar.template(variables[name]))
    return value


def _tokens_entry(variables, templar, name):
    """The token of operation ``name`` in ``wolkvox_tokens`` (a mapping, or its YAML or JSON text), or None."""
    if not _defined(variables, TOKENS_VARIABLE):
        return None, False
    raw = variables[TOKENS_VARIABLE]
    if isinstance(raw, dict) and name in raw:  # template only this operation's entry
        return _plain(templar.template(raw[name])), True
    value = _plain(templar.template(raw))
    if isinstance(value, str):
        import yaml  # pylint: disable=import-outside-toplevel
        try:
            value = yaml.safe_load(value) if value.strip() else {}
        except yaml.YAMLError:
            raise AnsibleError("%s is neither a mapping of operation to token nor its YAML or JSON text"
                               % TOKENS_VARIABLE) from None
    if not isinstance(value, dict):
        raise AnsibleError("%s must map each operation (inventory host name) to its token, not be a %s"
                           % (TOKENS_VARIABLE, type(value).__name__))
    return (None if value.get(name) is None else _plain(value[name])), True


class Operation:
    """One operation's validated options for the two reads, or why it has none."""

    def __init__(self, name):
        self.name = name
        self.params = {}
        self.no_log_values = set()
        self.failure = None
        self.token = None
        self.platform = "contact_center"
        self.crm_operation = None

    def fail(self, msg):
        """Fail this operation before any request, as a module fails on an option it refuses."""
        self.failure = {"failed": True, "msg": msg, "error_kind": "bad_option", "api_calls": 0}
        return self


def connection(name, variables):
    """The connection options of operation ``name``, validated against both modules' argument specs.

    Runs in the calling thread: the environment fallbacks read os.environ, which the action plugin sets to the
    task's environment around this call.
    """
    operation = Operation(name)
    options = {}
    redact = Redactor(None)
    platform, crm_operation = "contact_center", None
    try:
        host_variables, templar = variables.of(name)
        if _defined(host_variables, PLATFORM_VARIABLE):
            platform = _templated(host_variables, templar, PLATFORM_VARIABLE)
            platform = "contact_center" if platform is None or platform == "" else platform
            if platform in _audit.PLATFORMS:
                operation.platform = platform
        if platform == "crm" and _defined(host_variables, OPERATION_VARIABLE):
            crm_operation = _templated(host_variables, templar, OPERATION_VARIABLE)
        for option, variable in HOST_VARIABLES:
            if _defined(host_variables, variable):
                value = _templated(host_variables, templar, variable)
                if value is not None:
                    options[option] = value
        if "token" not in options:
            token, given = _tokens_entry(host_variables, templar, name)
            if token is not None:
                options["token"] = token
            elif given:
                options["__tokens_missing"] = True
    except Exception as exc:  # pylint: disable=broad-except
        # an undefined variable, a vault that cannot be opened... The variable's own text may hold the secret: mask what was read so far in the message
        redact = Redactor(options.get("token") if isinstance(options.get("token"), str) else None)
        operation.failure = {"failed": True, "msg": redact("the connection variables of %s could not be read: %s"
                                                           % (name, to_text(exc).splitlines()[0])),
                             "error_kind": "bad_option", "api_calls": 0}
        return operation
    tokens_missing = options.pop("__tokens_missing", False)
    if not isinstance(platform, str) or platform not in _audit.PLATFORMS:
        operation.platform = None
        return operation.fail("%s must be %s, not %r" % (PLATFORM_VARIABLE, " or ".join(_audit.PLATFORMS), platform))
    logics = ((_token_info, "token_info"), (_routing_points_info, "routing_points"))
    if platform == "crm":
        if crm_operation is None or not to_text(crm_operation).strip():
            return operation.fail("%s is crm, so %s must name the CRM operation the token belongs to (as the CRM "
                                  "shows it, case-sensitive); it is not set" % (PLATFORM_VARIABLE, OPERATION_VARIABLE))
        options.update(platform="crm", operation=crm_operation)
        logics = ((_token_info, "token_info"),)  # one call: a CRM operation has no routing points
    for logic, key in logics:
        validation = ArgumentSpecValidator(argument_spec(logic), **spec_checks(logic)).validate(dict(options))
        no_log_values, dummy, dummy = validation_findings(validation)
        operation.no_log_values.update(no_log_values)
        if validation.errors.errors:
            msg = validation.errors.msg
            if tokens_missing and "token" in msg and "missing required arguments" in msg:
                msg = ("no token for this operation: wolkvox_token is not set, %s has no entry %s, and WOLKVOX_TOKEN "
                       "is not set" % (TOKENS_VARIABLE, name))
            operation.failure = {"failed": True, "msg": msg}
            return operation
        operation.params[key] = validation.validated_parameters
    if platform == "crm":
        try:
            operation.crm_operation = _token_info.check_operation(operation.params["token_info"])
        except WolkvoxError as exc:
            return operation.fail("%s: %s" % (OPERATION_VARIABLE, exc.msg))
    operation.token = operation.params["token_info"].get("token")
    return operation


def _run(logic, params, check_mode, no_log_values):
    """A module's result, as its fast path returns it (warnings and deprecations attached, secrets removed)."""
    warnings = []

    def warn(msg):
        warnings.append(msg)

    def deprecate(msg):
        warnings.append("[DEPRECATION] %s" % msg)

    done, failure = execute(logic, params, check_mode, False, warn, deprecate)
    outcome = dict(failure, failed=True) if failure else done
    outcome.setdefault("changed", False)
    if warnings:
        outcome["warnings"] = warnings
    return remove_values(outcome, no_log_values)


def read(operation, thresholds, check_mode, now):
    """The judged record of one operation: its token budget, then its routing points unless that is pointless (or
    a CRM operation's, which has none)."""
    if operation.failure is not None:
        # as the module tasks failed before any request: both with the same message, none sent
        token_result = dict(operation.failure)
        routing_result = dict(operation.failure)
    elif operation.platform == "crm":
        token_result = _run(_token_info, operation.params["token_info"], check_mode, operation.no_log_values)
        routing_result = None
    else:
        token_result = _run(_token_info, operation.params["token_info"], check_mode, operation.no_log_values)
        if token_result.get("error_kind") in _audit.SPARE_ROUTING_AFTER:
            routing_result = {"changed": False, "skipped": True, "skip_reason": "Conditional result was False"}
        else:
            routing_result = _run(_routing_points_info, operation.params["routing_points"], check_mode,
                                  operation.no_log_values)
    return _audit.operation(operation.name, token_result, routing_result, thresholds, now,
                            platform=operation.platform, crm_operation=operation.crm_operation)


def with_history(records, history, moment, tz=None):
    """The records with their trend and projection from the history (``history``: path, days, warn_on_projection),
    and this run's lines appended to it. ``moment`` (aware) is when they were read.

    A history that cannot be read leaves each projection unknown, with the reason; one that cannot be written adds
    a warning to each record (this run's readings are then not in it).
    """
    lines = [_audit_history.line_of(record, moment) for record in records]
    try:
        past = _audit_history.read_recent(history["path"], moment - _audit_history.RECENT,
                                          [record["operation"] for record in records])
        problem = None
    except _audit_history.HistoryError as exc:
        past, problem = {}, str(exc)
    judged = []
    for record, line in zip(records, lines):
        readings = past.get(record["operation"], []) + [_audit_history.reading_of(line)]
        judged.append(_audit.project(record, readings, moment, history.get("warn_on_projection", True), tz,
                                     why_not=problem))
    try:
        _audit_history.append(history["path"], lines, moment, history.get("days") or _audit_history.DEFAULT_DAYS)
    except _audit_history.HistoryError as exc:
        for record in judged:
            warning = _audit.clean("%s: %s; this run's reading is not in it" % (record["operation"], exc))
            record["warnings"] = list(record.get("warnings") or []) + [warning]
    return judged


class _TokenSlots:
    """A semaphore per token (in memory only): at most ``max_concurrent_requests`` operations of one token at once."""

    def __init__(self):
        self._lock = threading.Lock()
        self._slots = {}

    def of(self, operation):
        if operation.token is None:
            return None
        limit = operation.params["token_info"].get("max_concurrent_requests") or 1
        with self._lock:
            key = (operation.token, limit)
            if key not in self._slots:
                self._slots[key] = threading.BoundedSemaphore(max(1, limit))
            return self._slots[key]


def read_all(operations, thresholds, check_mode, concurrency=DEFAULT_CONCURRENCY, now=None, history=None):
    """The records of ``operations`` ([(name, Operation)]), in their order, and the requests sent in all.

    ``now`` is the controller's local time (naive), ``history`` the history's settings or None (see with_history).
    """
    moment = now.astimezone(_audit_history.UTC) if now else datetime.datetime.now(_audit_history.UTC)
    now = now or moment.astimezone().replace(tzinfo=None)
    slots = _TokenSlots()

    def one(item):
        name, operation = item
        slot = slots.of(operation)
        try:
            if slot is None:
                return read(operation, thresholds, check_mode, now)
            with slot:
                return read(operation, thresholds, check_mode, now)
        except Exception as exc:  # pylint: disable=broad-except
            # a failure of this collection's code for one operation: reported for it, the others go on
            redact = Redactor(operation.token)
            failure = {"failed": True, "error_kind": "internal", "api_calls": 0,
                       "msg": redact("the audit could not read this operation (%s: %s); please report it"
                                     % (type(exc).__name__, exc))}
            return _audit.operation(name, failure, dict(failure), thresholds, now, platform=operation.platform)

    if not operations:
        return [], 0
    with SharedTLSContexts(), ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(operations))),
                                                 thread_name_prefix="wolkvox-audit") as pool:
        records = list(pool.map(one, operations))
    if history:
        records = with_history(records, history, moment)
    return records, sum(record["api_calls"] for record in records)
