# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""audit_read: the audit role's one reading task; it has no module (see plugins/modules/audit_read.yml).

It reads every operation it is given at once, in threads of this controller process, with the logic of
wolkvox_token_info and wolkvox_routing_points_info (module_utils, through _runner.execute, as their fast path
does), and judges each operation as the audit role's filters do; with a history, it projects each budget from it
and appends this run's readings. See plugins/plugin_utils/_audit_read.py.
"""

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils import _audit, _audit_history, _audit_read
from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils._fast_path import _environment, task_environment

ARGUMENT_SPEC = dict(
    operations=dict(type="list", elements="str", required=True),
    thresholds=dict(type="dict"),
    concurrency=dict(type="int", default=_audit_read.DEFAULT_CONCURRENCY),
    history=dict(type="str"),
    history_days=dict(type="int", default=_audit_history.DEFAULT_DAYS),
    warn_on_projection=dict(type="bool", default=True),
)


class ActionModule(ActionBase):
    """Read and judge every operation of ``operations`` on the controller, concurrently."""

    TRANSFERS_FILES = False
    _supports_check_mode = True  # it only reads
    _supports_async = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp
        dummy, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        if not 1 <= args["concurrency"] <= _audit_read.MAX_CONCURRENCY:
            raise AnsibleActionFail("concurrency must be a whole number from 1 to %d, not %r"
                                    % (_audit_read.MAX_CONCURRENCY, args["concurrency"]))
        try:
            thresholds = _audit.check_thresholds(args["thresholds"])
        except _audit.AuditError as exc:
            raise AnsibleActionFail("wolkvox.wolkvox.audit_read: %s" % exc) from None
        # the history's settings, checked before any request
        history = None
        if args["history"] and args["history"].strip():
            problems = _audit.history_problems(args)
            if problems:
                raise AnsibleActionFail("wolkvox.wolkvox.audit_read: %s" % "; ".join(problems))
            history = _audit.history_settings(args)
        environment = task_environment(self)  # the task's `environment:`, as a module would get it
        variables = _audit_read.HostVariables(task_vars, self._task, self._templar)
        with _environment(environment):  # the modules' environment fallbacks, and proxy variables for the requests
            settings = [(name, _audit_read.connection(name, variables)) for name in args["operations"]]
            records, api_calls = _audit_read.read_all(settings, thresholds, self._play_context.check_mode,
                                                      args["concurrency"], history=history)
        result.update(changed=False, records=records, api_calls=api_calls)
        return result
