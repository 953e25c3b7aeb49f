#!/usr/bin/python
# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: wolkvox_api
short_description: Call any wolkvox contact-center API endpoint
version_added: 0.1.0
description:
  - Sends a request to C(https://wv<server>.wolkvox.com/api/v2/<file>.php?api=<api>) with the same token handling,
    concurrency limit, retries, error messages and redaction as the other wolkvox modules, for the endpoints
    they do not cover - reports, real-time views, billing, agent actions, WhatsApp and SMS, speech analytics,
    gamification, quality, DNC lists, agents, campaigns, allowed IPs.
  - O(file) takes every API file the vendor publishes. The
    R(endpoint catalogue,ansible_collections.wolkvox.wolkvox.docsite.guide_endpoints) lists, for each file, its
    APIs with their method, parameters and whether they spend quota; it is generated from the same table as
    O(file)'s choices. O(api) takes any API name, listed there or not.
  - B(Every call spends one use of the operation's daily API quota) (licenses x 1000 uses a day, shared by all the
    operation's tokens), and every retry another, except C(agentbox) calls (agent actions); RV(api_calls) tells
    how many requests were sent.
  - The answer is read as the platform means it, whatever the endpoint's habits - a success C(code) of 200, 201
    or 202 (a number or text), V("") or V("0"); a bare JSON array as the data; a body C(code) of 400 or more on
    HTTP 200 as a refusal; HTTP 404 C(Validate dates entered) as a date window with no rows (an empty list); a 404
    that says the API does not exist, or an HTML 404 page, as an API this server does not have
    (C(error_kind=unknown_api)).
  - With O(split_range), a date range longer than the platform's 31 days per call is read in windows of
    O(window), one call each, and the records are returned together, in order.
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
    choices: [information, configuration, campaign, reports_manager, real_time, billing, agentbox, whatsapp, sms,
              speech_analytics, wolkvox_storage, customer, gamification, quality]
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
      - The range may not be reversed nor longer than 31 days, the platform's limit, unless O(split_range) is set;
        the error says how to split it.
      - A report (C(reports_manager), such as V(agent_1) or V(cdr_1)) needs a range; it is refused before any
        request without one.
    type: str
  date_end:
    description:
      - End of the date range, in the forms of O(date_ini). A bare date is the end of that day (V(23:59:59)).
    type: str
  empty_on_not_found:
    description:
      - Whether an HTTP 404 answer (the platform's "no data") is an empty RV(data) instead of a failure.
      - Defaults to V(true) for V(GET) and V(false) for other methods.
      - A 404 C(Validate dates entered) to a request with O(date_ini) and O(date_end) is always an empty list; it is
        the platform's answer to a date window with no rows. A 404 that says the API does not exist always fails.
    type: bool
  split_range:
    description:
      - Read the range from O(date_ini) to O(date_end) in consecutive windows of at most O(window), one call per
        window, in order, and return their records together in RV(data), and each window in RV(windows).
      - A window the platform answers with no rows is empty, not a failure.
      - Needs O(date_ini) and O(date_end) and method V(GET); both are checked before any request. A task sends at
        most 1000 calls (set a longer O(window) or a shorter range).
      - Without it, a range longer than 31 days is refused before any request.
    type: bool
    default: false
  window:
    description:
      - The longest window of O(split_range), as a whole number and a unit - V(d) (days), V(h) (hours) or V(m)
        (minutes), such as V(31d), V(1d), V(6h) or V(30m); at most V(31d), the platform's limit per call.
      - Anything else fails before any request. Checked even without O(split_range), which alone uses it.
      - Each window is one call (one use of the quota). Use shorter windows for busy operations, where a window
        reaches the platform's 60,000 records per answer (a warning names it and a window to set).
    type: str
    default: 31d
notes:
  - The platform returns at most 60,000 records per call and answers within 60 seconds. An answer with 60,000
    records or more is probably cut - RV(truncated) is V(true) and a warning names the window to split.
seealso:
  - module: wolkvox.wolkvox.wolkvox_token_info
    description: How much of today's quota is left.
  - ref: ansible_collections.wolkvox.wolkvox.docsite.guide_endpoints
    description: The endpoint catalogue - every API file, and its APIs with method, parameters and quota.
"""

EXAMPLES = r"""
- name: Read yesterday's agent report
  wolkvox.wolkvox.wolkvox_api:
    file: reports_manager
    api: agent_1
    date_ini: "{{ '%Y-%m-%d' | strftime(now().timestamp() - 86400) }}"
    date_end: "{{ '%Y-%m-%d' | strftime(now().timestamp() - 86400) }}"
  register: yesterday

- name: Read 70 days of call detail records, one call per 31 days or less
  wolkvox.wolkvox.wolkvox_api:
    file: reports_manager
    api: cdr_1
    date_ini: "2026-01-01"
    date_end: "2026-03-11"
    split_range: true
  register: calls

- name: Show how many records each window held
  ansible.builtin.debug:
    msg: "{{ calls.windows | map(attribute='records') | list }}"

- name: Read a busy day of call detail records in 6-hour windows
  wolkvox.wolkvox.wolkvox_api:
    file: reports_manager
    api: cdr_1
    date_ini: "2026-01-20"
    date_end: "2026-01-20"
    split_range: true
    window: 6h
  register: busy_day

- name: Read the real-time view of the campaigns (the platform answers a bare list)
  wolkvox.wolkvox.wolkvox_api:
    file: real_time
    api: campaigns
  register: campaigns

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
    - V(null) in check mode for writes, which are not sent, and for an answer that is a bare JSON array.
    - With O(split_range), the code of the last window that had rows (of the last window when none had).
  returned: always
  type: str
  sample: "200"
msg:
  description:
    - The platform's message without the spaces around it, or in check mode why nothing was sent.
    - With O(split_range), how many records and windows were read, such as "39 records in 3 windows (1 empty)".
  returned: always
  type: str
  sample: 2 records were found
data:
  description:
    - The C(data) of the platform's answer, as it was sent (values are often text, C("12"), and flags C("yes")); a
      list on most reads, an object on some (C(services)); the whole answer when it is a bare JSON array.
    - An empty list for a 404 "no data" answer when O(empty_on_not_found) applies, and for a date window with no
      rows; V(null) in check mode for writes.
    - With O(split_range), the records of every window, in order.
  returned: always
  type: raw
  sample: [{"agent_id": "501", "agent_name": "Ana", "agent_status": "Busy"}]
status:
  description:
    - The HTTP status of the answer; V(null) in check mode for writes, which are not sent.
    - With O(split_range), the status of the window that gave RV(code).
  returned: always
  type: int
  sample: 200
truncated:
  description:
    - Whether an answer held 60,000 records or more, the platform's cap per answer, and so is probably cut; a
      warning then names the window and a shorter O(window) to set.
  returned: always
  type: bool
  sample: false
windows:
  description:
    - The windows of O(split_range), in order, each with its range, the records it returned and its status -
      V(ok), V(empty) (the platform had no rows) or V(capped) (60,000 records, probably cut).
    - When a window fails, the failed task returns the windows read before it.
  returned: when O(split_range) is true
  type: list
  elements: dict
  contains:
    date_ini:
      description: The start of the window, in the operation's local time.
      type: str
      sample: "2026-01-01 00:00:00"
    date_end:
      description: The end of the window, included.
      type: str
      sample: "2026-01-31 23:59:59"
    records:
      description: The records the window returned.
      type: int
      sample: 31
    status:
      description: V(ok), V(empty) or V(capped).
      type: str
      sample: ok
  sample: [{"date_ini": "2026-01-01 00:00:00", "date_end": "2026-01-31 23:59:59", "records": 31, "status": "ok"}]
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
