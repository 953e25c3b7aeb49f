# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the audit's unit tests feed its judgement: the modules' results as the audit role registers them, a slice's
report, and the role's templates rendered as the template module renders them."""

import datetime
import json
import os

import jinja2

from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils import _audit

NOW = datetime.datetime(2026, 11, 23, 12, 0, 0)  # the judgement's clock in these tests: a fixed noon
TEMPLATES = os.path.join(os.path.dirname(__file__), "..", "..", "roles", "audit", "templates")


def budget(limit, used, api_calls=1, all_today=None, warnings=None):
    """wolkvox_token_info's result as the role registers it."""
    all_today = used if all_today is None else all_today
    result = {"changed": False, "api_calls": api_calls, "token_info": {
        "description": "token", "token_limit": limit, "token_use_today": used, "all_token_today": all_today,
        "available_consumption_options": limit - used, "hours_to_restart_count": None,
        "usage_percent": round(used * 100.0 / limit, 2)}}
    if warnings:
        result["warnings"] = warnings
    return result


def point(rp_id, last_use="2026-11-23T08:00:00", **channels):
    """One routing point as wolkvox_routing_points_info returns it."""
    flags = {"ivr_active": True, "chat_active": True, "interaction_active": True, "crm_active": False}
    flags.update(channels)
    return dict(rp_id=rp_id, rp_name="RP " + rp_id, last_use=last_use, **flags)


def points(*items):
    """wolkvox_routing_points_info's result as the role registers it."""
    return {"changed": False, "api_calls": 1, "routing_points": list(items)}


def failure(kind, msg="it failed"):
    """A module failure as the role registers it: failed_when: false leaves failed false, msg and error_kind stay."""
    return {"failed": False, "failed_when_result": False, "changed": False, "msg": msg, "error_kind": kind,
            "api_calls": 1}


def render(template, report):
    """One of the audit role's templates rendered with the template module's settings (blocks swallow the line
    break after them)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False, trim_blocks=True)
    return env.get_template(template).render(__audit_report=report, __audit_view=_audit.view(report))


def slice_report(names, run_id, workflow=None, job=None, fail_on="never", used=10, **fleet_args):
    """The JSON report of one slice of an audit, as audit_merge reads it back."""
    records = [_audit.operation(name, budget(1000, used), points(point("1")), now=NOW) for name in names]
    return json.loads(json.dumps(_audit.fleet(records, names, now=NOW, fail_on=fail_on, run_id=run_id,
                                              awx_job_id=job, awx_workflow_job_id=workflow, **fleet_args)))
