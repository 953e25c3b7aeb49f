#!/usr/bin/python
# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: wolkvox_api
short_description: Call any wolkvox contact-center API endpoint
version_added: 0.1.0
description:
  - Sends one request to C(https://wv<server>.wolkvox.com/api/v2/<file>.php?api=<api>) with the same token handling,
    concurrency limit, retries, error messages and redaction as the other wolkvox modules, for the endpoints
    they do not cover - reports, real-time views, billing, DNC lists, agents, campaigns, allowed IPs.
  - B(Every call spends one use of the operation's daily API quota) (licenses x 1000 uses a day, shared by all the
    operation's tokens), and every retry another; RV(api_calls) tells how many were spent.
  - V(GET) requests report no change. Other methods report a change unless the platform's answer says nothing
    changed (the body code C(404) of C(add_ip), the address is already registered, and of C(remove_ip), it is not
    registered). Use C(changed_when) for other endpoints.
  - In check mode, reads are sent and writes are not.
author:
  - wolkvox.wolkvox contributors (@wolkvox)
extends_documentation_fragment:
  - wolkvox.wolkvox.connection
  - wolkvox.wolkvox.attributes
  - wolkvox.wolkvox.attributes.actiongroup
attributes:
  check_mode:
    support: full
    details:
      - V(GET) requests are sent in check mode too; other methods are not sent, and a change is predicted.
  diff_mode:
    support: none
  idempotent:
    support: partial
    details:
      - Reads are. Writes are where the platform's answer says nothing changed, as for C(add_ip) and C(remove_ip).
options:
  file:
    description:
      - The API file, the part of the path before C(.php).
    type: str
    required: true
    choices: [information, configuration, campaign, reports_manager, real_time, billing]
  api:
    description:
      - The API name, the C(api=) parameter, such as V(agents), V(agent_1) or V(add_ip).
      - Letters, digits and underscores only.
    type: str
    required: true
  method:
    description:
      - The HTTP method.
    type: str
    choices: [GET, POST, PUT, DELETE]
    default: GET
  query:
    description:
      - More query parameters, as names and values, such as C(skill_id). Values are URL-encoded; V(true) and V(false) are sent as
        V(yes) and V(no), the platform's words.
      - Use O(api), O(date_ini) and O(date_end) for those parameters.
    type: dict
    default: {}
  body:
    description:
      - The request body, sent as JSON. A dict or list, or a JSON string.
    type: raw
  date_ini:
    description:
      - Start of the date range, for the endpoints that take one (reports, audit log, notifications).
      - V(YYYYmmddHHMMSS), V(YYYY-MM-DD), V(YYYY-MM-DD HH:MM:SS) or V(YYYY-MM-DDTHH:MM:SS), in the operation's local
        time. A bare date is the start of that day. Sent as V(YYYYmmddHHMMSS).
      - The range may not be reversed nor longer than 31 days, the platform's limit; the error says how to split it.
    type: str
  date_end:
    description:
      - End of the date range, in the forms of O(date_ini). A bare date is the end of that day (V(23:59:59)).
    type: str
  empty_on_not_found:
    description:
      - Whether an HTTP 404 answer (the platform's "no data") is an empty RV(data) instead of a failure.
      - Defaults to V(true) for V(GET) and V(false) for other methods.
    type: bool
notes:
  - The platform returns at most 60,000 records per call and answers within 60 seconds.
seealso:
  - module: wolkvox.wolkvox.wolkvox_token_info
    description: How much of today's quota is left.
"""

EXAMPLES = r"""
- name: Read yesterday's agent report
  wolkvox.wolkvox.wolkvox_api:
    file: reports_manager
    api: agent_1
    date_ini: "{{ '%Y-%m-%d' | strftime(now().timestamp() - 86400) }}"
    date_end: "{{ '%Y-%m-%d' | strftime(now().timestamp() - 86400) }}"
  register: yesterday

- name: Read the real-time view of the agents
  wolkvox.wolkvox.wolkvox_api:
    file: real_time
    api: agents
  register: agents

- name: Show the busy agents
  ansible.builtin.debug:
    msg: "{{ agents.data | selectattr('agent_status', 'eq', 'Busy') | map(attribute='agent_name') | list }}"

- name: Allow the office's address, once (an address already allowed reports no change)
  wolkvox.wolkvox.wolkvox_api:
    file: configuration
    api: add_ip
    method: POST
    body:
      ip: 203.0.113.7
      permanent: "yes"
      description: Office
"""

RETURN = r"""
code:
  description:
    - The C(code) of the platform's answer, as text (the platform sends it as a number or as text).
    - V(null) in check mode for writes, which are not sent.
  returned: always
  type: str
  sample: "200"
msg:
  description: The platform's message, or in check mode why nothing was sent.
  returned: always
  type: str
  sample: 2 records were found
data:
  description:
    - The C(data) of the platform's answer, as it was sent (values are often text, C("12"), and flags C("yes")).
    - An empty list for a 404 "no data" answer when O(empty_on_not_found) applies; V(null) in check mode for writes.
  returned: always
  type: raw
  sample: [{"agent_id": "501", "agent_name": "Ana", "agent_status": "Busy"}]
status:
  description: The HTTP status of the answer; V(null) in check mode for writes, which are not sent.
  returned: always
  type: int
  sample: 200
api_calls:
  description: The HTTP requests sent, retries included. Each one spent a use of the daily quota.
  returned: always
  type: int
  sample: 1
"""

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _api
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._runner import run_module


def main():
    run_module(_api)


if __name__ == "__main__":
    main()
