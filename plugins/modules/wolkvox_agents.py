#!/usr/bin/python
# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: wolkvox_agents
short_description: Manage the agents of a wolkvox operation
version_added: 0.2.0
description:
  - Manages the operation's agents in one task, in the style of the network resource modules - O(state=merged),
    O(state=replaced), O(state=overridden), O(state=deleted) and O(state=gathered). Agents are identified by their
    identity document number, O(config[].dni).
  - Each run reads the agents once (C(information.php?api=agents)), compares them with O(config), and sends only the
    writes the differences need - C(configuration.php?api=create_agent), C(api=edit_agent), C(api=enable_agent) and
    C(api=disable_agent). A second run with the same O(config) only reads, and reports no change.
  - B(The platform cannot delete an agent.) O(state=deleted), and O(state=overridden) for the agents it does not list,
    B(disable) them instead, with a warning - B(a disabled agent still holds its license).
  - B(Passwords never appear in any output.) A password given in O(config[].password) is sent when the agent is
    created (and on every run with O(update_password=always)). An agent created without one gets a password the
    platform generates; it is appended to O(generated_passwords_file) when that option is set, and otherwise dropped
    with a warning.
  - Every request spends one use of the operation's daily API quota; RV(api_calls) tells how many were spent.
  - B(A write is never sent twice.) When the answer to a write is lost, the agents are read once more (one more use
    of the quota). A change that shows there counts as made (a lost create does not create the agent twice);
    otherwise the task fails, saying that the outcome is unknown.
  - When a write fails part-way (the daily quota is spent, the license limit is reached), the task fails and
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
      - Check mode reads the agents (one use of the quota), predicts every write exactly in RV(changes) and sends none.
  diff_mode:
    support: full
    details:
      - The agents before and after, in O(config)'s shape. Passwords are not part of it.
  idempotent:
    support: full
    details:
      - Except with O(update_password=always), which sends the password, and reports a change, on every run.
options:
  config:
    description:
      - The agents, each one identified by O(config[].dni).
      - With O(state=merged), O(state=replaced) and O(state=overridden), the agents to have. With O(state=deleted),
        the agents to disable (only O(config[].dni) and O(config[].id) count).
      - Required with O(state=merged), O(state=replaced) and O(state=overridden); not allowed with O(state=gathered).
      - "What would disable every agent needs O(allow_disable_all=true): O(state=overridden) with O(config=[]), and
        O(state=deleted) with no agent listed. O(state=overridden) with no O(config) at all fails."
      - The RV(gathered) list of O(state=gathered) is a valid O(config).
    type: list
    elements: dict
    suboptions:
      dni:
        description:
          - The agent's identity document number, which identifies it. Not empty; spaces around it do not count.
          - The platform lets two agents have one C(dni); a task that would change such an agent fails before any
            write, saying so.
        type: str
        required: true
      id:
        description:
          - The agent's ID on the platform (its extension number), which the platform sets when it creates the agent.
          - Returned in RV(before), RV(after) and RV(gathered). When given, it must be the ID of the agent with that
            O(config[].dni), or the task fails before any write; it may not be given for an agent to create.
        type: str
      name:
        description:
          - The agent's name. Runs of white space count as one space (the platform may return double spaces).
          - Required to create an agent. When not given, an existing agent keeps its name, whatever O(state).
        type: str
      sso:
        description:
          - The agent's single sign-on user.
          - When not given, empty for a new agent, and with O(state=replaced) and O(state=overridden); the platform's
            value with O(state=merged).
        type: str
      enabled:
        description:
          - Whether the agent is enabled.
          - When not given, V(true) for a new agent, and with O(state=replaced) and O(state=overridden); the
            platform's value with O(state=merged).
          - An agent to create disabled is created, then disabled (two writes).
        type: bool
      password:
        description:
          - The agent's password, sent when the agent is created, and on every run with O(update_password=always).
          - The platform requires upper- and lower-case letters, a digit and a sign; an agent whose password it
            refuses is not created, and the task fails with the platform's message.
          - Not given, the platform generates one; see O(generated_passwords_file).
          - Never shown in any output. Not allowed with O(state=deleted).
        type: str
  state:
    description:
      - V(merged) creates the listed agents that are missing and sets the given attributes of those that exist;
        it disables nothing.
      - V(replaced) gives each listed agent exactly the given attributes; an attribute not given goes back to its
        default (O(config[].name) stays). Agents not listed are left alone.
      - V(overridden) makes the agents exactly O(config) - listed agents as V(replaced) sets them, and every agent not
        listed B(disabled).
      - V(deleted) B(disables) the listed agents, or every agent when O(config) lists none (with
        O(allow_disable_all=true)).
      - V(gathered) only reads, and returns the current agents in RV(gathered).
    type: str
    choices: [merged, replaced, overridden, deleted, gathered]
    default: merged
  update_password:
    description:
      - V(on_create) sends O(config[].password) only when the agent is created.
      - V(always) sends it for every listed agent on every run. The platform cannot show a password, so each of those
        agents then reports a change.
    type: str
    choices: [on_create, always]
    default: on_create
  generated_passwords_file:
    description:
      - "A file to append the passwords the platform generates to, one line per agent created without
        O(config[].password): C(- {\"dni\": ..., \"id\": ..., \"password\": ..., \"created\": ...}), a YAML list."
      - Created with mode C(0600) if missing; an existing file readable by others is narrowed to C(0600); a link
        is refused. Its directory must exist.
      - "The path is on the host that runs the module: the controller, with C(delegate_to: localhost) or
        C(connection: local), as the wolkvox modules normally run."
      - Not set, a generated password is not kept anywhere, and a warning says so.
    type: path
  allow_disable_all:
    description:
      - Confirms a task that disables every agent of the operation - O(state=overridden) with O(config=[]), or
        O(state=deleted) with no agent listed. Without it, such a task fails before any request.
    type: bool
    default: false
notes:
  - Each run sends one read, plus one write per change in RV(changes), plus one read after each write whose answer was
    lost.
  - The order of writes is disabling first (for O(state=overridden) and O(state=deleted)), then changes, then
    creations; within each, the agents by O(config[].dni). The writes of one agent are sent together.
seealso:
  - module: wolkvox.wolkvox.wolkvox_operation_info
    description: Read the agents with other information of the operation.
"""

EXAMPLES = r"""
- name: Make sure two agents exist, with the connection settings set once for the group
  module_defaults:
    group/wolkvox.wolkvox.wolkvox:
      server: "{{ wolkvox_server }}"
      token: "{{ wolkvox_token }}"  # vaulted
  block:
    - name: Create or update the agents; the platform generates the passwords, kept in a private file
      wolkvox.wolkvox.wolkvox_agents:
        config:
          - dni: "1020304050"
            name: Ana Perez
          - dni: "1020304051"
            name: Luis Gomez
            sso: luis.gomez@example.com
        generated_passwords_file: "{{ playbook_dir }}/generated-passwords.yml"
      delegate_to: localhost

- name: Create an agent with a password of your own (sent at creation only)
  wolkvox.wolkvox.wolkvox_agents:
    config:
      - dni: "1020304052"
        name: Marta Ruiz
        password: "{{ vault_marta_password }}"
  delegate_to: localhost

- name: Disable an agent that left (the platform cannot delete one; its license stays taken)
  wolkvox.wolkvox.wolkvox_agents:
    state: deleted
    config:
      - dni: "1020304051"
  delegate_to: localhost

- name: Keep exactly these agents enabled, and disable every other one
  wolkvox.wolkvox.wolkvox_agents:
    state: overridden
    config:
      - dni: "1020304050"
        name: Ana Perez
      - dni: "1020304052"
        name: Marta Ruiz
  delegate_to: localhost

- name: Read the agents
  wolkvox.wolkvox.wolkvox_agents:
    state: gathered
  delegate_to: localhost
  register: agents

- name: Show the disabled ones
  ansible.builtin.debug:
    msg: "{{ agents.gathered | rejectattr('enabled') | map(attribute='name') | list }}"
"""

RETURN = r"""
before:
  description: The agents before the task, in O(config)'s shape (with C(id), without C(password)), sorted by C(dni).
  returned: success, when O(state) is not V(gathered); on a failure after the read
  type: list
  elements: dict
  sample: [{"dni": "1020304050", "id": "1001", "name": "Ana Perez", "sso": "", "enabled": true}]
after:
  description:
    - The agents after the task, in O(config)'s shape, sorted by C(dni) (in check mode, as they would be).
    - Computed from the agents read and the writes made; not read again. The C(id) of an agent created is the one the
      platform answered; V(null) in check mode.
  returned: success, when O(state) is not V(gathered)
  type: list
  elements: dict
  sample: [{"dni": "1020304050", "id": "1001", "name": "Ana Perez", "sso": "", "enabled": true},
           {"dni": "1020304051", "id": "1002", "name": "Luis Gomez", "sso": "luis.gomez@example.com", "enabled": true}]
gathered:
  description: The agents, in O(config)'s shape, sorted by C(dni).
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample: [{"dni": "1020304050", "id": "1001", "name": "Ana Perez", "sso": "", "enabled": false}]
changes:
  description:
    - One entry per write, in the order sent (in check mode, the writes that would be sent).
    - C(action) is V(create), V(update), V(enable) or V(disable); C(key) the agent's C(dni); C(id) the agent's ID when
      it exists before the task.
    - V(create) has C(after) (C(dni), C(name), C(sso)) and C(password) - V(given) or V(generated), never the password.
      V(update) has C(before) and C(after), the attributes changed, and C(password=given) when the password is sent.
    - C(reason) explains a V(disable) that stands for a removal, or that follows a V(create).
    - On a failure, each entry has C(applied) (whether the write was made), and the failed one C(error).
  returned: success, when O(state) is not V(gathered); on a failure after the read
  type: list
  elements: dict
  sample:
    - {"action": "create", "key": "1020304051", "after": {"dni": "1020304051", "name": "Luis Gomez", "sso": ""},
       "password": "generated"}
    - {"action": "update", "key": "1020304050", "id": "1001", "before": {"name": "Ana  Perez"}, "after": {"name": "Ana Perez"}}
    - {"action": "disable", "key": "1020304049", "id": "998",
       "reason": "not in config (state overridden): the platform cannot delete an agent, so it is disabled"}
diff:
  description: The agents before and after, by C(dni), in diff mode.
  returned: success, in diff mode, when something changes (or would, in check mode); never for O(state=gathered)
  type: dict
  sample: {"before": {}, "after": {"1020304050": {"dni": "1020304050", "id": "1001", "name": "Ana Perez", "sso": "",
                                                  "enabled": true}}}
api_calls:
  description: The HTTP requests sent, retries included. Each one spent a use of the daily quota.
  returned: always
  type: int
  sample: 2
"""

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _agents
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._runner import run_module


def main():
    run_module(_agents)


if __name__ == "__main__":
    main()
