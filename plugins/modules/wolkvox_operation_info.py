#!/usr/bin/python
# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: wolkvox_operation_info
short_description: Read what a wolkvox operation is - its token budget, routing points, agents and allowed IPs
version_added: 0.2.0
description:
  - Reads the subsets of O(gather_subset) for the operation the token belongs to, one request per subset, and returns
    each under its own name.
  - Each subset has the shape its own module returns - RV(token) is the RV(wolkvox.wolkvox.wolkvox_token_info#module:token_info)
    of M(wolkvox.wolkvox.wolkvox_token_info), RV(routing_points) the list of M(wolkvox.wolkvox.wolkvox_routing_points_info),
    and RV(agents) and RV(allowed_ips) the O(wolkvox.wolkvox.wolkvox_agents#module:config) shape of
    M(wolkvox.wolkvox.wolkvox_agents) and M(wolkvox.wolkvox.wolkvox_allowed_ips), so that they can be given back to
    those modules as they are; so are RV(skills), RV(activity_codes), RV(dnc) and RV(campaigns) for
    M(wolkvox.wolkvox.wolkvox_skills), M(wolkvox.wolkvox.wolkvox_activity_codes), M(wolkvox.wolkvox.wolkvox_dnc) and
    M(wolkvox.wolkvox.wolkvox_campaigns).
  - B(Each subset spends one use of the operation's daily API quota), and V(skills) one more per skill (its agents);
    the default reads the token budget only.
author:
  - wolkvox.wolkvox contributors (@wolkvox)
extends_documentation_fragment:
  - wolkvox.wolkvox.connection
  - wolkvox.wolkvox.attributes
  - wolkvox.wolkvox.attributes.actiongroup
  - wolkvox.wolkvox.attributes.info_module
options:
  gather_subset:
    description:
      - What to read. V(all) is every subset this module supports.
      - V(token) - the token's daily budget (C(information.php?api=token_info)).
      - V(routing_points) - the routing points (C(information.php?api=routing_points)).
      - V(agents) - the agents (C(information.php?api=agents)).
      - V(allowed_ips) - the allowed IP addresses (C(information.php?api=get_ip)).
      - V(skills) - the skills with their agents (C(information.php?api=skills), then
        C(information.php?api=agents_in_skill) once per skill).
      - V(activity_codes) - the activity codes of both groups (C(information.php?api=activity_codes)).
      - V(dnc) - the do-not-call numbers of both directions (C(information.php?api=get_dnc&type=all)).
      - V(campaigns) - the campaigns (C(information.php?api=campaigns)).
      - V(services) - the licenses and the services switched on (C(information.php?api=services)).
      - V(connectors) - the channels connected to routing points (C(information.php?api=connectors)).
    type: list
    elements: str
    choices: [all, token, routing_points, agents, allowed_ips, skills, activity_codes, dnc, campaigns, services, connectors]
    default: [token]
notes:
  - Each subset is one request, plus one for each retry; RV(api_calls) tells how many.
  - When a subset cannot be read, the task fails, and returns the subsets read before it.
seealso:
  - module: wolkvox.wolkvox.wolkvox_token_info
  - module: wolkvox.wolkvox.wolkvox_routing_points_info
  - module: wolkvox.wolkvox.wolkvox_agents
  - module: wolkvox.wolkvox.wolkvox_allowed_ips
  - module: wolkvox.wolkvox.wolkvox_skills
  - module: wolkvox.wolkvox.wolkvox_activity_codes
  - module: wolkvox.wolkvox.wolkvox_dnc
  - module: wolkvox.wolkvox.wolkvox_campaigns
"""

EXAMPLES = r"""
- name: Read everything about the operation (ten uses of the daily quota, and one more per skill)
  wolkvox.wolkvox.wolkvox_operation_info:
    server: "{{ wolkvox_server }}"
    token: "{{ wolkvox_token }}"  # vaulted
    gather_subset: [all]
  delegate_to: localhost
  register: operation

- name: Show how much of today's quota is left, and the disabled agents
  ansible.builtin.debug:
    msg:
      - "{{ operation.token.available_consumption_options }} uses left today"
      - "{{ operation.agents | rejectattr('enabled') | map(attribute='name') | list }}"

- name: Keep a copy of the allowed IPs, to restore them with wolkvox_allowed_ips (state overridden) later
  ansible.builtin.copy:
    content: "{{ operation.allowed_ips | to_nice_yaml }}"
    dest: "{{ playbook_dir }}/allowed-ips-{{ inventory_hostname }}.yml"
    mode: "0644"
  delegate_to: localhost

- name: Read the agents and the allowed IPs only
  wolkvox.wolkvox.wolkvox_operation_info:
    gather_subset:
      - agents
      - allowed_ips
  delegate_to: localhost
  register: access
"""

RETURN = r"""
gather_subset:
  description: The subsets read, in the order of O(gather_subset)'s choices, each once.
  returned: always
  type: list
  elements: str
  sample: [token, agents]
token:
  description:
    - The token's daily budget, as RV(wolkvox.wolkvox.wolkvox_token_info#module:token_info) of
      M(wolkvox.wolkvox.wolkvox_token_info) returns it (numbers as numbers).
  returned: when O(gather_subset) has V(token) or V(all)
  type: dict
  sample: {"description": "API token", "token_limit": 2000, "token_use_today": 40, "all_token_today": 40,
           "available_consumption_options": 1960, "usage_percent": 2.0}
routing_points:
  description:
    - The routing points, as M(wolkvox.wolkvox.wolkvox_routing_points_info) returns them (flags as booleans,
      C(last_use) in ISO 8601). Empty when there are none.
  returned: when O(gather_subset) has V(routing_points) or V(all)
  type: list
  elements: dict
  sample: [{"rp_id": "101", "rp_name": "Sales", "ivr_active": true, "chat_active": false, "interaction_active": true,
            "crm_active": true, "last_use": "2026-01-20T13:42:47"}]
agents:
  description:
    - The agents, in the O(wolkvox.wolkvox.wolkvox_agents#module:config) shape of M(wolkvox.wolkvox.wolkvox_agents),
      sorted by C(dni). Never a password.
  returned: when O(gather_subset) has V(agents) or V(all)
  type: list
  elements: dict
  sample: [{"dni": "1020304050", "id": "1001", "name": "Ana Perez", "sso": "", "enabled": true}]
allowed_ips:
  description:
    - The allowed IP addresses, in the O(wolkvox.wolkvox.wolkvox_allowed_ips#module:config) shape of
      M(wolkvox.wolkvox.wolkvox_allowed_ips), sorted by address.
  returned: when O(gather_subset) has V(allowed_ips) or V(all)
  type: list
  elements: dict
  sample: [{"ip": "203.0.113.7", "permanent": true, "description": "Office"}]
skills:
  description:
    - The skills with their agents, in the O(wolkvox.wolkvox.wolkvox_skills#module:config) shape of
      M(wolkvox.wolkvox.wolkvox_skills), sorted by name.
  returned: when O(gather_subset) has V(skills) or V(all)
  type: list
  elements: dict
  sample: [{"name": "Cobranzas", "id": "1", "description": "collections", "agents": [{"id": "12989", "expertise": 5}]}]
activity_codes:
  description:
    - The activity codes, in the O(wolkvox.wolkvox.wolkvox_activity_codes#module:config) shape of
      M(wolkvox.wolkvox.wolkvox_activity_codes), main group first.
  returned: when O(gather_subset) has V(activity_codes) or V(all)
  type: list
  elements: dict
  sample: [{"group": "main", "code": "020", "description": "Payment promise", "hit": true, "rpc": false, "chat": false,
            "studio": false, "voice": true, "interactions": false}]
dnc:
  description:
    - The do-not-call numbers, in the O(wolkvox.wolkvox.wolkvox_dnc#module:config) shape of
      M(wolkvox.wolkvox.wolkvox_dnc).
  returned: when O(gather_subset) has V(dnc) or V(all)
  type: list
  elements: dict
  sample: [{"phone": "3001234567", "direction": "inbound"}]
campaigns:
  description:
    - The campaigns, in the O(wolkvox.wolkvox.wolkvox_campaigns#module:config) shape of
      M(wolkvox.wolkvox.wolkvox_campaigns), sorted by name.
  returned: when O(gather_subset) has V(campaigns) or V(all)
  type: list
  elements: dict
  sample: [{"name": "Mora 30", "id": "23910", "type": "predictive", "description": "", "skill": "1",
            "start_time": "08:00:00", "end_time": "18:00:00", "status": "started", "speed": 100}]
services:
  description:
    - The operation's licenses and services, as the platform names them; counts as numbers, C(yes)/C(no) flags as
      booleans.
  returned: when O(gather_subset) has V(services) or V(all)
  type: dict
  sample: {"licenses": 10, "pbx": 2, "whatsapp": true, "crm": false, "sso": false}
connectors:
  description: The channels connected to routing points, sorted by id.
  returned: when O(gather_subset) has V(connectors) or V(all)
  type: list
  elements: dict
  sample: [{"id": "77", "rp_id": "3001", "name": "WhatsApp Cali", "channel": "whatsapp"}]
api_calls:
  description: The HTTP requests sent, retries included. Each one spent a use of the daily quota.
  returned: always
  type: int
  sample: 4
"""

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _operation_info
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._runner import run_module


def main():
    run_module(_operation_info)


if __name__ == "__main__":
    main()
