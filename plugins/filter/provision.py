# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters behind the provision role and the export playbook: check the declarations, judge one operation's results,
build the fleet's change report and write it, and export an operation as the role's variables.

Each is documented in the .yml file of its name beside this one.
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils import _provision


def _failing(name, exc):
    return AnsibleFilterError("wolkvox.wolkvox.%s: %s" % (name, exc))


def provision_plan(settings, declared=None, arguments=None):
    return _provision.plan(settings, declared, arguments)


def provision_halted(results, check_mode=False):
    return _provision.halted(results, check_mode)


def provision_operation(results, name, plan=None, check_mode=False):
    return _provision.operation(results, name, plan, check_mode)


def provision_operations(hosts, hostvars, check_mode=False):
    return _provision.operations(hosts, hostvars, check_mode)


def provision_collect(state, records, key=None):
    return _provision.collect(state, records, key)


def provision_fleet(records, hosts=None, check_mode=False, fail_on_drift=False, active=None, batch=None, group=None,
                    group_hosts=None, limit=None, run_id=None):
    return _provision.fleet(records, hosts=hosts, check_mode=check_mode, fail_on_drift=fail_on_drift, active=active,
                            batch=batch, group=group, group_hosts=group_hosts, limit=limit, run_id=run_id)


def provision_report(report, format="json", name=None):  # pylint: disable=redefined-builtin
    if isinstance(format, list):  # several formats: their texts by file name
        unknown = [fmt for fmt in format if fmt not in _provision.FORMATS]
        if unknown:
            raise _failing("provision_report", "no report format %r: give one of %s"
                           % (unknown[0], ", ".join(_provision.FORMATS)))
        return dict(("%s.%s" % (name or "wolkvox-provision", _provision.FORMATS[fmt]), provision_report(report, fmt))
                    for fmt in format)
    if format == "summary":
        return _provision.summary_lines(report)
    try:
        return _provision.render(report, format)
    except _provision.ProvisionError as exc:
        raise _failing("provision_report", exc) from None


def provision_export(data, name, exported_at=None, previous=None):
    return _provision.export(data, name, exported_at, previous)


def provision_export_problems(settings):
    return _provision.export_problems(settings)


class FilterModule:
    def filters(self):
        return {
            "provision_plan": provision_plan,
            "provision_halted": provision_halted,
            "provision_operation": provision_operation,
            "provision_operations": provision_operations,
            "provision_collect": provision_collect,
            "provision_fleet": provision_fleet,
            "provision_report": provision_report,
            "provision_export": provision_export,
            "provision_export_problems": provision_export_problems,
        }
