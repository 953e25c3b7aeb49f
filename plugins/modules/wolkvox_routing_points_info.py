#!/usr/bin/python
# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: wolkvox_routing_points_info
short_description: List the routing points of a wolkvox operation
version_added: 0.1.0
description:
  - Reads the routing points of the operation the token belongs to (C(information.php?api=routing_points)),
    all of them or one, with the state of each channel and the time of last use.
  - The platform's C(yes)/C(no) flags become booleans; C(Yes), C(YES), C( yes ), C(si) and C(sí) are read too.
    An empty or unknown flag is read as V(false), with one warning per field and value.
  - C(last_use) becomes ISO 8601 (C(YYYY-MM-DDTHH:MM:SS)) when it parses, stays as sent when it does not, and is
    V(null) when empty.
  - No routing point (an empty list, or the platform's 404 with no data) is an empty list, not an error.
author:
  - wolkvox.wolkvox contributors (@wolkvox)
extends_documentation_fragment:
  - wolkvox.wolkvox.connection
  - wolkvox.wolkvox.attributes
  - wolkvox.wolkvox.attributes.actiongroup
  - wolkvox.wolkvox.attributes.info_module
options:
  rp_id:
    description:
      - The ID of one routing point. Without it, all the operation's routing points are listed.
    type: str
notes:
  - Each run sends one request, and one more for each retry; RV(api_calls) tells how many.
  - The platform returns at most 60,000 records per call.
seealso:
  - module: wolkvox.wolkvox.wolkvox_token_info
"""

EXAMPLES = r"""
- name: Find routing points whose IVR is off, with the connection settings set once for the group
  module_defaults:
    group/wolkvox.wolkvox.wolkvox:
      server: "{{ wolkvox_server }}"
      token: "{{ wolkvox_token }}"  # vaulted
  block:
    - name: List the routing points
      wolkvox.wolkvox.wolkvox_routing_points_info:
      delegate_to: localhost
      register: rp

    - name: Show those with the IVR off
      ansible.builtin.debug:
        msg: "{{ rp.routing_points | rejectattr('ivr_active') | map(attribute='rp_name') | list }}"

- name: Read one routing point, connection from WOLKVOX_SERVER and WOLKVOX_TOKEN
  wolkvox.wolkvox.wolkvox_routing_points_info:
    rp_id: "1002"
  register: one
"""

RETURN = r"""
routing_points:
  description: The routing points, in the platform's order. Empty when there are none.
  returned: success
  type: list
  elements: dict
  contains:
    rp_id:
      description: The routing point's ID.
      type: str
      sample: "1002"
    rp_name:
      description: The routing point's name.
      type: str
      sample: Customer service
    ivr_active:
      description: Whether the IVR is active.
      type: bool
      sample: true
    chat_active:
      description: Whether chat is active.
      type: bool
      sample: false
    interaction_active:
      description: Whether interactions are active.
      type: bool
      sample: true
    crm_active:
      description: Whether the CRM integration is active.
      type: bool
      sample: false
    last_use:
      description:
        - The last use, as C(YYYY-MM-DDTHH:MM:SS) when the platform's value parses, else the value as sent.
        - V(null) when the platform sent none.
      type: str
      sample: "2026-01-20T13:42:47"
api_calls:
  description: The HTTP requests sent, retries included. Each one spent a use of the daily quota.
  returned: always
  type: int
  sample: 1
"""

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _routing_points_info
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._runner import run_module


def main():
    run_module(_routing_points_info)


if __name__ == "__main__":
    main()
