# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters behind the audit role: judge one operation, then the fleet (documented in the .yml files beside)."""

from ansible.errors import AnsibleFilterError

from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils import _audit


def audit_operation(token_result, routing_result, name, thresholds=None):
    try:
        return _audit.operation(name, token_result, routing_result, thresholds)
    except _audit.AuditError as exc:
        raise AnsibleFilterError("wolkvox.wolkvox.audit_operation: %s" % exc) from None


def audit_fleet(records, hosts=None, thresholds=None, fail_on="never"):
    try:
        return _audit.fleet(records, hosts=hosts, thresholds=thresholds, fail_on=fail_on)
    except _audit.AuditError as exc:
        raise AnsibleFilterError("wolkvox.wolkvox.audit_fleet: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"audit_operation": audit_operation, "audit_fleet": audit_fleet}
