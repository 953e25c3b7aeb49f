# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE and for internal use only: its names may change without notice.

"""wolkvox_routing_points_info: the routing points of the operation, typed."""

import re

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import WolkvoxError
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._normalize import is_empty, to_flag, to_iso_timestamp

ARGUMENT_SPEC = dict(
    rp_id=dict(type="str"),
)

FLAGS = ("ivr_active", "chat_active", "interaction_active", "crm_active")


def platform(params):
    return "contact_center"


RP_ID = re.compile(r"[A-Za-z0-9_.-]+")


def run(client, params, check_mode=False, diff=False):
    rp_id = params.get("rp_id")
    if rp_id is not None and not RP_ID.fullmatch(to_text(rp_id)):
        # a list or a mapping arrives here turned into its text: "['1', '2']"
        raise WolkvoxError("rp_id %r is not one routing point id: give a single id such as '1204' (letters, digits, "
                           "'.', '_' or '-'), or leave rp_id out to read every routing point" % (rp_id,), "bad_option")
    query = {"routing": rp_id} if rp_id else None
    answer = client.contact_center("information", "routing_points", query=query, allow_not_found=True)
    data = answer.data
    if answer.status == 404 or is_empty(data) or data == []:
        return dict(changed=False, routing_points=[])
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise WolkvoxError("the platform's routing points are not a list of records (msg: %r)" % answer.msg,
                           "bad_answer")
    points, odd = normalize(data)
    for (field, shown), count in odd.items():
        client.warn("routing points: %s is %s in %d record(s), read as false" % (field, shown, count))
    return dict(changed=False, routing_points=points)


def normalize(records):
    """(typed routing points, {(field, odd value): count}) from the platform's records."""
    points = []
    odd = {}
    for record in records:
        point = dict(
            rp_id=to_text(record.get("rp_id") if record.get("rp_id") is not None else "").strip(),
            rp_name=to_text(record.get("rp_name") if record.get("rp_name") is not None else "").strip(),
        )
        for field in FLAGS:
            value = record.get(field)
            flag = to_flag(value)
            if flag is None:
                key = (field, "missing" if value is None else repr(value))
                odd[key] = odd.get(key, 0) + 1
                flag = False
            point[field] = flag
        point["last_use"] = to_iso_timestamp(record.get("last_use"))
        points.append(point)
    return points, odd
