# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This plugin_utils is PRIVATE and for internal use only: its names may change without notice.

"""The controller fast path shared by the wolkvox action plugins.

Every wolkvox module talks HTTP, and usually from the controller (``connection: local`` or
``delegate_to: localhost``).  There, packaging the module and starting a Python process for it costs
far more than the request.  When the task runs on the controller, the action plugin validates the
arguments against the module's own argument spec and runs the module's logic (the same function of
module_utils) inside the worker; anywhere else, or when the variable ``wolkvox_fast_path`` is false,
it ships the module as usual.  Both paths give the same result, warnings, deprecations and errors.
"""

import datetime
import os

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.wolkvox.wolkvox.plugins.module_utils._runner import (
    COLLECTION,
    DEPRECATION_VERSION,
    argument_spec,
    execute,
    invocation,
    spec_checks,
)

SWITCH = "wolkvox_fast_path"


# -- ansible-core internals, in one place --------------------------------------------------------------------
# What the fast path needs that ansible-core offers only under names it marks internal. Checked with ansible-core
# 2.16 and 2.21; the parity test of the integration targets fails the day one of them changes behaviour.


def task_environment(action):
    """The task's ``environment:`` as a module would get it (``ActionBase._compute_environment_string``)."""
    environment = {}
    action._compute_environment_string(environment)  # pylint: disable=protected-access
    return environment


def validation_findings(validation):
    """(no_log values, alias warnings, deprecations) of an ArgumentSpecValidator result (``_no_log_values``,
    ``_warnings``, ``_deprecations``), the warnings and deprecations worded as AnsibleModule reports them."""
    warnings = ["Both option %s and its alias %s are set." % (item["option"], item["alias"])
                for item in getattr(validation, "_warnings", [])]
    deprecations = [dict(msg="Alias '%s' is deprecated. See the module docs for more information" % item["name"],
                         version=item.get("version"), date=item.get("date"), collection_name=item.get("collection_name"))
                    for item in getattr(validation, "_deprecations", [])]
    return validation._no_log_values, warnings, deprecations  # pylint: disable=protected-access


class WolkvoxAction(ActionBase):
    """Run a wolkvox module's logic in-process on the controller, or the module itself elsewhere."""

    LOGIC = None  # the module_utils logic the same-named module runs
    _supports_async = True  # an async task ships the module, which runs in the background as usual

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp
        # before either path: a shipped module would receive a date as text, the fast path as a date
        problem = _not_json(self._task.args)
        if problem:
            result.update(failed=True, msg=problem, error_kind="bad_option", api_calls=0)
            return result
        if not self._fast_path_applies(task_vars):
            wrap_async = bool(self._task.async_val)
            result.update(self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
            if not wrap_async:
                self._remove_tmp_path(self._connection._shell.tmpdir)
            return result
        result.update(self._run_in_process(task_vars))
        return result

    def _fast_path_applies(self, task_vars):
        switch = task_vars.get(SWITCH, True)
        wanted = boolean(self._templar.template(switch), strict=False) if switch is not None else True
        return (wanted and self._connection.transport == "local" and not self._play_context.become
                and not self._task.async_val)

    def _run_in_process(self, task_vars):
        logic = self.LOGIC
        environment = task_environment(self)
        validator = ArgumentSpecValidator(argument_spec(logic), **spec_checks(logic))
        with _environment(environment):  # env fallbacks (WOLKVOX_SERVER, WOLKVOX_TOKEN, ...) read it
            validation = validator.validate(dict(self._task.args))
        params = validation.validated_parameters
        no_log_values, warnings, deprecations = validation_findings(validation)

        def warn(msg):
            warnings.append(msg)

        def deprecate(msg):
            deprecations.append(dict(msg=msg, version=DEPRECATION_VERSION, collection_name=COLLECTION))

        if validation.errors.errors:
            error = validation.errors.errors[0]
            msg = validation.errors.msg
            if isinstance(error, UnsupportedError):
                msg = "Unsupported parameters for (%s) module: %s" % (self._task.action, msg)
            outcome = dict(failed=True, msg=msg)
        else:
            # the task's environment holds for the requests too (proxy variables: http_proxy, https_proxy, no_proxy)
            with _environment(environment):
                done, failure = execute(logic, params, self._play_context.check_mode, self._play_context.diff,
                                        warn, deprecate)
            outcome = dict(failure, failed=True) if failure else done
            outcome.setdefault("changed", False)
        if _inject_invocation(task_vars):
            # as a module reports it: AnsibleModule itself when the options fail validation (it masks the token's
            # exact value), the runner's invocation() otherwise (the token masked in every form)
            outcome["invocation"] = dict(module_args=params) if validation.errors.errors else invocation(params)
        if warnings:
            outcome["warnings"] = warnings
        if deprecations:
            outcome["deprecations"] = deprecations
        # what AnsibleModule does on its way out: no value of a no_log option survives anywhere in the result
        return remove_values(outcome, no_log_values)


def _not_json(value, where=""):
    """A message when ``value`` holds a date or time (YAML reads an unquoted 2026-01-20 as one), else None."""
    if isinstance(value, (datetime.date, datetime.time)):
        kind = "date and time" if isinstance(value, datetime.datetime) else (
            "date" if isinstance(value, datetime.date) else "time")
        text = value.isoformat()
        name = where.lstrip(".") or "an option"
        return ("%s holds the %s %s, which YAML read from an unquoted value and JSON cannot carry: quote it in YAML "
                "(as in '%s') so that it is sent as text" % (name, kind, text, text))
    if isinstance(value, dict):
        for key, item in value.items():
            problem = _not_json(item, "%s.%s" % (where, key))
            if problem:
                return problem
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            problem = _not_json(item, "%s[%d]" % (where, index))
            if problem:
                return problem
    return None


def _inject_invocation(task_vars):
    """Whether a module's result would carry ``invocation``: always before ansible-core 2.21, then as
    INJECT_INVOCATION says (checked with 2.16 and 2.21)."""
    try:
        return bool(C.config.get_config_value("INJECT_INVOCATION", variables=task_vars))
    except AnsibleError:
        return True  # the setting does not exist: the module always injects it


class _environment:
    """os.environ with ``values`` added, for the duration of a ``with``; this worker process is the task's own."""

    def __init__(self, values):
        self.values = values
        self.saved = {}

    def __enter__(self):
        for key, value in self.values.items():
            self.saved[key] = os.environ.get(key)
            os.environ[key] = str(value)

    def __exit__(self, *exc_info):
        for key, value in self.saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
