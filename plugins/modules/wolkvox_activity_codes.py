#!/usr/bin/python
# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: wolkvox_activity_codes
short_description: Manage the activity codes of a wolkvox operation
version_added: 0.2.0
description:
  - Manages the operation's activity codes (the dispositions agents give an interaction) in one task, in the style of
    the network resource modules - O(state=merged), O(state=replaced), O(state=overridden), O(state=deleted) and
    O(state=gathered).
  - A code is identified by its group and its code together, O(config[].group) and O(config[].code) - the same code
    may exist in both groups. V(main) is the platform's first level (C(cod_act1)), V(alternate) its second level
    (C(cod_act2)).
  - Each run reads the codes once (C(information.php?api=activity_codes)), compares them with O(config), and sends
    only the writes the differences need - C(configuration.php?api=create_cod_act), C(api=edit_cod_act) and
    C(api=remove_cod_act). A second run with the same O(config) only reads, and reports no change.
  - B(Removals are batched.) The codes of one group to remove go in one C(remove_cod_act) request, so removing any
    number of codes costs at most two requests.
  - B(The platform keeps O(config[].hit) and O(config[].rpc) for main codes only.) It reads them back empty for an
    alternate code; they are returned as V(false) there, never report a difference, and an alternate code given
    either of them V(true) fails before any request.
  - Every request spends one use of the operation's daily API quota; RV(api_calls) tells how many were spent.
  - B(A write is never sent twice.) When the answer to a write is lost, the codes are read once more (one more use of
    the quota). A change that shows there counts as made (for a batch of removals, when every code of it is gone);
    otherwise the task fails, saying that the outcome is unknown.
  - When a write fails part-way (the daily quota is spent, the platform refuses a code), the task fails and
    RV(changes) says which writes were applied and which were not. Running the task again makes the rest.
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
      - Check mode reads the codes (one use of the quota), predicts every write exactly in RV(changes) and sends none.
  diff_mode:
    support: full
    details:
      - The codes before and after, by C(group/code), in O(config)'s shape.
  idempotent:
    support: full
options:
  config:
    description:
      - The activity codes, each one identified by O(config[].group) and O(config[].code).
      - With O(state=merged), O(state=replaced) and O(state=overridden), the codes to have. With O(state=deleted),
        the codes to remove (only O(config[].group) and O(config[].code) count); when it lists none, every code is
        removed.
      - Required with O(state=merged), O(state=replaced) and O(state=overridden); V([]) is a valid list (with
        O(state=overridden) it removes every code). Not allowed with O(state=gathered).
      - The RV(gathered) list of O(state=gathered) is a valid O(config).
    type: list
    elements: dict
    suboptions:
      group:
        description:
          - The code's group - V(main) (the platform's C(cod_act1), the first level) or V(alternate) (C(cod_act2), the
            second level).
        type: str
        required: true
        choices: [main, alternate]
      code:
        description:
          - The code, as the agents see it. Spaces around it do not count.
          - Quote it in YAML (V('020')) - an unquoted V(020) is read as a number and loses its leading zero.
        type: str
        required: true
      description:
        description:
          - The code's description. Not empty; spaces around it do not count.
          - Required to create a code. When not given, an existing code keeps its description, whatever O(state).
        type: str
      hit:
        description:
          - Whether the code counts as a hit (a successful contact).
          - For main codes only - the platform reads it back empty for an alternate code, where it is V(false) and may
            not be set V(true).
          - When not given, V(false) for a new code, and with O(state=replaced) and O(state=overridden); the
            platform's value with O(state=merged).
        type: bool
      rpc:
        description:
          - Whether the code counts as a right party contact.
          - For main codes only, as O(config[].hit).
          - When not given, V(false) for a new code, and with O(state=replaced) and O(state=overridden); the
            platform's value with O(state=merged).
        type: bool
      chat:
        description:
          - Whether the code is offered on chat interactions.
          - When not given, V(false) for a new code, and with O(state=replaced) and O(state=overridden); the
            platform's value with O(state=merged).
        type: bool
      studio:
        description:
          - Whether the code is offered in wolkvox Studio flows.
          - When not given, V(false) for a new code, and with O(state=replaced) and O(state=overridden); the
            platform's value with O(state=merged).
        type: bool
      voice:
        description:
          - Whether the code is offered on voice interactions.
          - When not given, V(false) for a new code, and with O(state=replaced) and O(state=overridden); the
            platform's value with O(state=merged).
        type: bool
      interactions:
        description:
          - Whether the code is offered on other interactions (the platform's C(interactions)).
          - When not given, V(false) for a new code, and with O(state=replaced) and O(state=overridden); the
            platform's value with O(state=merged).
        type: bool
  state:
    description:
      - V(merged) creates the listed codes that are missing and sets the given attributes of those that exist; it
        removes nothing.
      - V(replaced) gives each listed code exactly the given attributes; an attribute not given goes back to its
        default (O(config[].description) stays). Codes not listed are left alone.
      - V(overridden) makes the codes exactly O(config) - listed codes as V(replaced) sets them, and every code not
        listed removed.
      - V(deleted) removes the listed codes, or every code when O(config) lists none.
      - V(gathered) only reads, and returns the current codes in RV(gathered).
    type: str
    choices: [merged, replaced, overridden, deleted, gathered]
    default: merged
notes:
  - Each run sends one read, plus one write per entry of RV(changes), plus one read after each write whose answer was
    lost. An edit sends every attribute of the code (the platform's C(edit_cod_act) takes the whole code); its entry
    in RV(changes) shows the attributes that differ.
  - The order of writes is removals first (one request per group, main first), then edits, then creations; within
    each, main codes before alternate ones, by code.
seealso:
  - module: wolkvox.wolkvox.wolkvox_operation_info
    description: Read the activity codes with other information of the operation.
  - module: wolkvox.wolkvox.wolkvox_api
    description: Call C(create_cod_act), C(edit_cod_act) or C(remove_cod_act) directly.
"""

EXAMPLES = r"""
- name: Make sure the sales codes exist, leaving other codes alone
  wolkvox.wolkvox.wolkvox_activity_codes:
    server: "{{ wolkvox_server }}"
    token: "{{ wolkvox_token }}"  # vaulted
    config:
      - group: main
        code: "020"
        description: Sale
        hit: true
        rpc: true
        voice: true
      - group: alternate
        code: "020"
        description: Sale - card
        voice: true
      - group: alternate
        code: "021"
        description: Sale - cash
        voice: true
  delegate_to: localhost

- name: Keep exactly these codes, and remove every other one
  wolkvox.wolkvox.wolkvox_activity_codes:
    server: "{{ wolkvox_server }}"
    token: "{{ wolkvox_token }}"
    state: overridden
    config:
      - {group: main, code: "020", description: Sale, hit: true, rpc: true, voice: true}
      - {group: main, code: "021", description: No answer, voice: true}
  delegate_to: localhost

- name: Remove two codes (one request for both)
  wolkvox.wolkvox.wolkvox_activity_codes:
    server: "{{ wolkvox_server }}"
    token: "{{ wolkvox_token }}"
    state: deleted
    config:
      - {group: main, code: "030"}
      - {group: main, code: "031"}
  delegate_to: localhost

- name: Read the codes
  wolkvox.wolkvox.wolkvox_activity_codes:
    server: "{{ wolkvox_server }}"
    token: "{{ wolkvox_token }}"
    state: gathered
  delegate_to: localhost
  register: codes

- name: Show the main codes that count as hits
  ansible.builtin.debug:
    msg: "{{ codes.gathered | selectattr('group', 'eq', 'main') | selectattr('hit') | map(attribute='code') | list }}"
"""

RETURN = r"""
before:
  description: The codes before the task, in O(config)'s shape, main codes then alternate ones, each by code.
  returned: success, when O(state) is not V(gathered); on a failure after the read
  type: list
  elements: dict
  sample: [{"group": "main", "code": "020", "description": "Sale", "hit": true, "rpc": true, "chat": false,
            "studio": false, "voice": true, "interactions": false}]
after:
  description:
    - The codes after the task, in O(config)'s shape, in the order of RV(before) (in check mode, as they would be).
    - Computed from the codes read and the writes made; not read again.
  returned: success, when O(state) is not V(gathered)
  type: list
  elements: dict
  sample: [{"group": "main", "code": "020", "description": "Sale", "hit": true, "rpc": true, "chat": false,
            "studio": false, "voice": true, "interactions": false},
           {"group": "alternate", "code": "020", "description": "Sale - card", "hit": false, "rpc": false,
            "chat": false, "studio": false, "voice": true, "interactions": false}]
gathered:
  description: The codes, in O(config)'s shape, main codes then alternate ones, each by code.
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample: [{"group": "main", "code": "020", "description": "Sale", "hit": true, "rpc": true, "chat": false,
            "studio": false, "voice": true, "interactions": false}]
changes:
  description:
    - One entry per request, in the order sent (in check mode, the requests that would be sent).
    - C(action) is V(create), V(update) or V(remove).
    - V(create) and V(update) have C(key), the code as C(group/code) (V(main/020)). V(create) has C(after), the code
      created; V(update) has C(before) and C(after), the attributes that differ.
    - V(remove) is one request for the codes of one group - C(group), C(codes) (the codes), C(covers) (each as
      C(group/code)) and C(before) (the codes removed); it has no C(key).
    - On a failure, each entry has C(applied) (whether the request was made), and the failed one C(error).
  returned: success, when O(state) is not V(gathered); on a failure after the read
  type: list
  elements: dict
  sample:
    - {"action": "remove", "group": "main", "codes": ["030", "031"], "covers": ["main/030", "main/031"],
       "before": [{"group": "main", "code": "030", "description": "Call back", "hit": false, "rpc": false,
                   "chat": true, "studio": false, "voice": false, "interactions": false},
                  {"group": "main", "code": "031", "description": "Busy", "hit": false, "rpc": false,
                   "chat": false, "studio": false, "voice": true, "interactions": false}]}
    - {"action": "update", "key": "main/021", "before": {"voice": false}, "after": {"voice": true}}
    - {"action": "create", "key": "alternate/021", "after": {"group": "alternate", "code": "021",
       "description": "Sale - cash", "hit": false, "rpc": false, "chat": false, "studio": false, "voice": true,
       "interactions": false}}
diff:
  description: The codes before and after, by C(group/code), in diff mode.
  returned: success, in diff mode, when something changes (or would, in check mode); never for O(state=gathered)
  type: dict
  sample: {"before": {}, "after": {"main/020": {"group": "main", "code": "020", "description": "Sale", "hit": true,
                                                "rpc": true, "chat": false, "studio": false, "voice": true,
                                                "interactions": false}}}
api_calls:
  description: The HTTP requests sent, retries included. Each one spent a use of the daily quota.
  returned: always
  type: int
  sample: 2
"""

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _activity_codes
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._runner import run_module


def main():
    run_module(_activity_codes)


if __name__ == "__main__":
    main()
