#!/usr/bin/python
# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: wolkvox_skills
short_description: Manage the skills of a wolkvox operation and the agents in each
version_added: 0.2.0
description:
  - Manages the operation's skills, and the agents in each skill with their expertise, in one task, in the style of
    the network resource modules - O(state=merged), O(state=replaced), O(state=overridden), O(state=deleted) and
    O(state=gathered). Skills are identified by their name, O(config[].name).
  - Each run reads the skills once (C(information.php?api=skills)), plus the agents of each skill whose agents it
    manages (C(information.php?api=agents_in_skill), one read per skill), plus the operation's agents once
    (C(information.php?api=agents)) when O(config[].agents) names an agent by its C(dni). It compares them with
    O(config), and sends only the writes the differences need - C(configuration.php?api=create_skill),
    C(api=edit_skill), C(api=add_agents_skill) and C(api=remove_agents_skill). A second run with the same O(config)
    only reads, and reports no change.
  - B(The agents of a skill are managed only when its item gives O(config[].agents).) Without it, the skill's agents
    are neither read nor changed, whatever O(state); with it (V([]) included), the skill gets exactly those agents.
  - B(The platform cannot delete a skill.) O(state=deleted), and O(state=overridden) for the skills it does not list,
    B(take every agent out of the skill) instead, with a warning; the skill itself stays on the platform, and
    RV(after) shows it, with no agent.
  - B(O(config[].voicemail), O(config[].welcome_message) and O(config[].vto) cannot be read back.) They are sent when
    the skill is created, and with the edit a change of O(config[].description) makes; B(a change of these alone is not
    detected), and sends nothing. To change one, change O(config[].description) in the same task (or set it once by
    hand).
  - Each operation holds at most 10 skills per license; a create the platform refuses (body code C(406)) fails the
    task with the platform's message.
  - Every request spends one use of the operation's daily API quota; RV(api_calls) tells how many were spent.
  - B(A write is never sent twice.) When the answer to a write is lost, the skills (and, for a change of its agents,
    the skill's agents) are read once more. A change that shows there counts as made (a lost create does not create the
    skill twice); otherwise the task fails, saying that the outcome is unknown.
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
      - Check mode makes the same reads as a real run, predicts every write exactly in RV(changes) and sends none.
  diff_mode:
    support: full
    details:
      - The skills before and after, in O(config)'s shape. O(config[].voicemail), O(config[].welcome_message) and
        O(config[].vto) are not part of it.
  idempotent:
    support: full
    details:
      - A change of only O(config[].voicemail), O(config[].welcome_message) or O(config[].vto) is not detected, since
        the platform does not show them.
options:
  config:
    description:
      - The skills, each one identified by O(config[].name).
      - With O(state=merged), O(state=replaced) and O(state=overridden), the skills to have. With O(state=deleted),
        the skills whose agents to take out (only O(config[].name) and O(config[].id) count); when it lists none, every
        skill's.
      - Required with O(state=merged), O(state=replaced) and O(state=overridden); not allowed with O(state=gathered).
      - The RV(gathered) list of O(state=gathered) is a valid O(config).
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - The skill's name, which identifies it. Not empty; spaces around it do not count; case counts.
          - The platform lets two skills have one name; a task that would change such a skill fails before any write,
            saying so.
        type: str
        required: true
      id:
        description:
          - The skill's ID on the platform, which the platform sets when it creates the skill.
          - Returned in RV(before), RV(after) and RV(gathered). When given, it must be the ID of the skill with that
            O(config[].name), or the task fails before any write; it may not be given for a skill to create.
        type: str
      description:
        description:
          - The skill's description (the platform's C(description_skill), read back as C(skill_description)).
          - When not given, empty for a new skill, and with O(state=replaced) and O(state=overridden); the platform's
            value with O(state=merged).
        type: str
      voicemail:
        description:
          - The name of the skill's voice mail message, as the platform takes it.
          - B(Write-only) - sent when the skill is created (empty when not given), and with an edit of
            O(config[].description) (only when given). Never read, never returned, never compared.
          - Not allowed with O(state=deleted).
        type: str
      welcome_message:
        description:
          - The name of the skill's welcome message, as the platform takes it.
          - B(Write-only), as O(config[].voicemail).
        type: str
      vto:
        description:
          - The name of the skill's waiting message, as the platform takes it.
          - B(Write-only), as O(config[].voicemail).
        type: str
      agents:
        description:
          - The agents in the skill, each with its expertise. B(Managed only when given) - not given, the skill's
            agents are left as they are (and not read), whatever O(state).
          - Given, the skill gets exactly these agents - the agents not listed are taken out (one
            C(remove_agents_skill) each), the missing ones added (one C(add_agents_skill) each). V([]) takes every
            agent out.
          - An agent whose expertise differs is added again with the new one (the platform has no call to change an
            expertise; adding an agent already in a skill is assumed to update its expertise, as the platform's
            simulator does).
          - In RV(before), RV(after) and RV(gathered), each agent is C(id) and C(expertise), sorted by C(id); V(null)
            for a skill whose agents the task did not read.
        type: list
        elements: dict
        suboptions:
          dni:
            description:
              - The agent's identity document number, as in M(wolkvox.wolkvox.wolkvox_agents).
              - Resolved to the agent's ID through one read of the operation's agents per task. A C(dni) no agent has
                (or that two agents have) fails the task before any write.
              - Give O(config[].agents[].dni), O(config[].agents[].id) or both (then they must be the same agent's).
            type: str
          id:
            description:
              - The agent's ID on the platform (its extension number), as in RV(gathered).
            type: str
          expertise:
            description:
              - The agent's expertise in the skill.
              - The vendor documents no range; this module accepts whole numbers from V(1) to V(10), and fails before
                any request otherwise.
            type: int
            required: true
  state:
    description:
      - V(merged) creates the listed skills that are missing and sets the given attributes of those that exist; it takes
        out no skill's agents, except from the skills whose O(config[].agents) it is given.
      - V(replaced) gives each listed skill exactly the given attributes; an attribute not given goes back to its
        default (O(config[].agents) not given stays as it is). Skills not listed are left alone.
      - V(overridden) makes the skills exactly O(config) - listed skills as V(replaced) sets them, and B(every agent
        taken out) of each skill not listed (the skill itself stays, with a warning).
      - V(deleted) takes every agent out of the listed skills, or of every skill when O(config) lists none; the skills
        stay, with a warning.
      - V(gathered) only reads, and returns the current skills, with their agents, in RV(gathered) - one read, plus one
        per skill.
    type: str
    choices: [merged, replaced, overridden, deleted, gathered]
    default: merged
notes:
  - Each run sends one read of the skills; one read of the agents of each skill whose O(config[].agents) is given (and
    that exists), of each skill O(state=overridden) does not list, of each skill O(state=deleted) takes the agents out
    of, and of every skill with O(state=gathered); one read of the operation's agents when an agent is named by its
    C(dni); plus one write per change in RV(changes), plus one read after each write whose answer was lost.
  - The order of writes is the skills whose agents are taken out first (for O(state=overridden) and O(state=deleted)),
    then changes, then creations; within each, the skills by name. The writes of one skill are sent together - its
    edit, the agents taken out, then the agents added.
seealso:
  - module: wolkvox.wolkvox.wolkvox_agents
    description: Manage the agents that the skills hold.
  - module: wolkvox.wolkvox.wolkvox_campaigns
    description: Campaigns name the skill whose agents work them.
  - module: wolkvox.wolkvox.wolkvox_operation_info
    description: Read the skills with other information of the operation.
"""

EXAMPLES = r"""
- name: Two skills and their agents, with the connection settings set once for the group
  module_defaults:
    group/wolkvox.wolkvox.wolkvox:
      server: "{{ wolkvox_server }}"
      token: "{{ wolkvox_token }}"  # vaulted
  block:
    - name: Create or update the skills; agents named by dni or by id
      wolkvox.wolkvox.wolkvox_skills:
        config:
          - name: Sales
            description: Inbound sales
            welcome_message: sales_welcome  # sent at creation only (the platform cannot show it)
            agents:
              - {dni: "1020304050", expertise: 8}
              - {id: "1002", expertise: 5}
          - name: Support
            description: Second level
      delegate_to: localhost

- name: Add an agent to a skill (the agents listed are the skill's agents; the others are taken out)
  wolkvox.wolkvox.wolkvox_skills:
    config:
      - name: Sales
        agents:
          - {dni: "1020304050", expertise: 8}
          - {id: "1002", expertise: 5}
          - {dni: "1020304052", expertise: 3}
  delegate_to: localhost

- name: Take every agent out of a skill (the platform cannot delete the skill itself)
  wolkvox.wolkvox.wolkvox_skills:
    state: deleted
    config:
      - name: Support
  delegate_to: localhost

- name: Read the skills and their agents
  wolkvox.wolkvox.wolkvox_skills:
    state: gathered
  delegate_to: localhost
  register: skills

- name: Show the skills with no agent
  ansible.builtin.debug:
    msg: "{{ skills.gathered | rejectattr('agents') | map(attribute='name') | list }}"
"""

RETURN = r"""
before:
  description:
    - The skills before the task, in O(config)'s shape (with C(id), without the write-only messages), sorted by name.
    - C(agents) is V(null) for a skill whose agents the task did not read (its O(config[].agents) was not given).
  returned: success, when O(state) is not V(gathered); on a failure after the read
  type: list
  elements: dict
  sample: [{"name": "Sales", "id": "3", "description": "Inbound sales", "agents": [{"id": "1001", "expertise": 8}]}]
after:
  description:
    - The skills after the task, in O(config)'s shape, sorted by name (in check mode, as they would be).
    - Computed from the skills read and the writes made; not read again. The C(id) of a skill created is the one the
      platform answered; V(null) in check mode. A skill whose agents were taken out (O(state=deleted) or
      O(state=overridden)) is still there, with C(agents=[]).
  returned: success, when O(state) is not V(gathered)
  type: list
  elements: dict
  sample: [{"name": "Sales", "id": "3", "description": "Inbound sales",
            "agents": [{"id": "1001", "expertise": 8}, {"id": "1002", "expertise": 5}]},
           {"name": "Support", "id": "4", "description": "Second level", "agents": null}]
gathered:
  description: The skills, each with its agents, in O(config)'s shape, sorted by name.
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample: [{"name": "Sales", "id": "3", "description": "Inbound sales", "agents": [{"id": "1001", "expertise": 8}]},
           {"name": "Support", "id": "4", "description": "", "agents": []}]
changes:
  description:
    - One entry per write, in the order sent (in check mode, the writes that would be sent).
    - C(action) is V(create), V(update), V(add_agent) or V(remove_agent); C(key) the skill's name; C(id) the skill's ID
      when it exists before the task.
    - V(create) has C(after) (the skill's name, description and the messages sent); V(update) has C(before) and
      C(after) (the description, and the messages sent with it).
    - V(add_agent) and V(remove_agent) have C(agent) - its C(id), C(expertise), and C(dni) when the task read the
      agents. An agent added again for a new expertise has C(before) (its expertise) and a C(reason).
    - C(reason) explains a V(remove_agent) that stands for the removal of the skill.
    - On a failure, each entry has C(applied) (whether the write was made), and the failed one C(error).
  returned: success, when O(state) is not V(gathered); on a failure after the read
  type: list
  elements: dict
  sample:
    - {"action": "create", "key": "Support", "after": {"name": "Support", "description": "Second level",
       "voicemail": "", "welcome_message": "", "vto": ""}}
    - {"action": "add_agent", "key": "Sales", "id": "3", "agent": {"id": "1002", "expertise": 5}}
    - {"action": "add_agent", "key": "Sales", "id": "3", "agent": {"id": "1001", "expertise": 8, "dni": "1020304050"},
       "before": {"expertise": 6}, "reason": "the expertise changes from 6 to 8: ..."}
    - {"action": "remove_agent", "key": "Old", "id": "2", "agent": {"id": "1003", "expertise": 1},
       "reason": "state deleted: the platform cannot delete a skill, so its agents are taken out of it"}
diff:
  description: The skills before and after, by name, in diff mode.
  returned: success, in diff mode, when something changes (or would, in check mode); never for O(state=gathered)
  type: dict
  sample: {"before": {}, "after": {"Support": {"name": "Support", "id": "4", "description": "", "agents": []}}}
api_calls:
  description: The HTTP requests sent, retries included. Each one spent a use of the daily quota.
  returned: always
  type: int
  sample: 3
"""

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _skills
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._runner import run_module


def main():
    run_module(_skills)


if __name__ == "__main__":
    main()
