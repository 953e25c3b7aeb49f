# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE and for internal use only: its names may change without notice.

"""wolkvox_token_info: the daily budget of the token, from the contact center or the CRM."""

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import WolkvoxError
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._normalize import to_int

ARGUMENT_SPEC = dict(
    platform=dict(type="str", default="contact_center", choices=["contact_center", "crm"]),
    operation=dict(type="str"),
)

CRM_PATH = "token/tokenInformation.php"


def platform(params):
    return params["platform"]


def check_operation(params):
    """The CRM operation name, checked: one non-empty name (a list arrives here as its text)."""
    operation = to_text(params.get("operation") if params.get("operation") is not None else "").strip()
    if not operation:
        raise WolkvoxError("platform crm needs operation: the name of the CRM operation the token belongs to "
                           "(as the CRM shows it, case-sensitive)", "bad_option")
    if operation.startswith(("[", "{")) or "\n" in operation:
        raise WolkvoxError("operation %r is not one CRM operation name: give a single name, such as 'AcmeCRM'"
                           % (operation,), "bad_option")
    return operation


def run(client, params, check_mode=False, diff=False):
    if params["platform"] == "crm":
        answer = client.crm(CRM_PATH, query={"operation": check_operation(params)})
    else:
        answer = client.contact_center("information", "token_info")
    record = _the_record(answer.data, answer.msg)
    return dict(changed=False, token_info=normalize(record, params["platform"]))


def _the_record(data, msg):
    if isinstance(data, list):
        data = data[0] if len(data) == 1 and isinstance(data[0], dict) else (None if not data else data)
    if not isinstance(data, dict):
        found = "no record" if not data else "%d records" % len(data) if isinstance(data, list) else "no object"
        raise WolkvoxError("the platform's token information held %s (msg: %r), where one record was expected: "
                           "check that the token and, for the CRM, the operation name are right" % (found, msg),
                           "no_record")
    return data


def _int_field(record, names, required):
    for name in names:
        if name in record:
            try:
                value = to_int(record[name])
            except ValueError:
                raise WolkvoxError("the platform's token information has %s = %r, which is not a whole number"
                                   % (name, record[name]), "bad_answer") from None
            if value is not None or not required:
                return value
    if required:
        raise WolkvoxError("the platform's token information has no %s (fields sent: %s)"
                           % (names[0], ", ".join(sorted(record)) or "none"), "bad_answer")
    return None


def normalize(record, which):
    """The token_info result (see the module's RETURN) from one record of the platform."""
    limit = _int_field(record, ["token_limit"], required=True)
    used = _int_field(record, ["token_use_today"], required=True)
    available = _int_field(record, ["available_consumption_options", "available_consumition_options"], required=False)
    if available is None:
        available = max(limit - used, 0)
    crm = which == "crm"
    all_today = None if crm else _int_field(record, ["all_token_today"], required=False)
    return dict(
        description=to_text(record.get("description") or "").strip(),
        token_limit=limit,
        token_use_today=used,
        all_token_today=all_today,
        available_consumption_options=available,
        hours_to_restart_count=_int_field(record, ["hours_to_restart_count"], required=False) if crm else None,
        usage_percent=_percent(used, limit),
        # The operation's tokens share one daily quota. The platform reports the uses of all of them
        # (all_token_today) but no separate quota for the operation: the token's own limit is the
        # conservative reading of the operation's pool.
        operation_use_today=all_today,
        operation_available=None if all_today is None else max(limit - all_today, 0),
        operation_usage_percent=None if all_today is None else _percent(all_today, limit),
    )


def _percent(used, limit):
    return round(used * 100.0 / limit, 2) if limit else (0.0 if not used else 100.0)
