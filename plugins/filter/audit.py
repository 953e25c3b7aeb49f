# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters behind the audit role: check its settings, judge one operation, then the fleet; merge slices' reports;
what the human-readable reports show (audit_view).

Each is documented in the .yml file of its name beside this one.
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils import _audit


def audit_settings_problems(settings):
    return _audit.settings_problems(settings)


def audit_operation(token_result, routing_result, name, thresholds=None, platform="contact_center",
                    crm_operation=None):
    try:
        return _audit.operation(name, token_result, routing_result, thresholds, platform=platform,
                                crm_operation=crm_operation)
    except _audit.AuditError as exc:
        raise AnsibleFilterError("wolkvox.wolkvox.audit_operation: %s" % exc) from None


def audit_collect(state, records, key=None):
    return _audit.collect(state, records, key)


def audit_fleet(records, hosts=None, thresholds=None, fail_on="never", active=None, batch=None, group=None,
                group_hosts=None, limit=None, run_id=None, awx_job_id=None, awx_workflow_job_id=None, history=None):
    try:
        return _audit.fleet(records, hosts=hosts, thresholds=thresholds, fail_on=fail_on, active=active, batch=batch,
                            group=group, group_hosts=group_hosts, limit=limit, run_id=run_id, awx_job_id=awx_job_id,
                            awx_workflow_job_id=awx_workflow_job_id, history=history)
    except _audit.AuditError as exc:
        raise AnsibleFilterError("wolkvox.wolkvox.audit_fleet: %s" % exc) from None


def audit_merge(reports, group=None, group_hosts=None, run_id=None, awx_job_id=None, awx_workflow_job_id=None):
    try:
        return _audit.merge(list(reports or []), group=group, group_hosts=group_hosts, run_id=run_id,
                            awx_job_id=awx_job_id, awx_workflow_job_id=awx_workflow_job_id)
    except _audit.AuditError as exc:
        raise AnsibleFilterError("wolkvox.wolkvox.audit_merge: %s" % exc) from None


def audit_history_settings(settings):
    return _audit.history_settings(settings)


def audit_view(report):
    if not isinstance(report, dict) or not isinstance(report.get("operations"), list) \
            or not isinstance(report.get("summary"), dict):
        raise AnsibleFilterError("wolkvox.wolkvox.audit_view: give the report of audit_fleet or audit_merge")
    try:
        return _audit.view(report)
    except _audit.AuditError as exc:
        raise AnsibleFilterError("wolkvox.wolkvox.audit_view: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {
            "audit_settings_problems": audit_settings_problems,
            "audit_operation": audit_operation,
            "audit_collect": audit_collect,
            "audit_fleet": audit_fleet,
            "audit_merge": audit_merge,
            "audit_view": audit_view,
            "audit_history_settings": audit_history_settings,
        }
