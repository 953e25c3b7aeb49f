#!/usr/bin/python
# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: wolkvox_campaigns
short_description: Manage the campaigns of a wolkvox operation
version_added: 0.2.0
description:
  - Manages the operation's predictive and preview campaigns in one task, in the style of the network resource
    modules - O(state=merged), O(state=replaced), O(state=overridden), O(state=deleted) and O(state=gathered).
    Campaigns are identified by their name, O(config[].name).
  - Each run reads the campaigns once (C(information.php?api=campaigns)), plus the skills once
    (C(information.php?api=skills)) when O(config[].skill) names a skill by its name. It compares them with O(config),
    and sends only the writes the differences need - C(campaign.php?api=create_campaign), C(api=edit_campaign) (with
    the changed fields only), C(api=speed), C(api=start), C(api=stop) and C(api=delete_campaign). A second run with the
    same O(config) only reads, and reports no change; a campaign is started or stopped only when the status read
    differs from O(config[].status).
  - B(Deleting a campaign cannot be undone.) Only O(state=deleted) deletes, and only the campaigns O(config) names;
    O(state=deleted) with no campaign listed fails. O(state=overridden) B(never deletes) - the campaigns it does not
    list are left as they are, with a warning naming them.
  - B(A campaign's type cannot change.) A task that gives an existing campaign another O(config[].type) fails before
    any write, saying so.
  - The platform runs at most 7 predictive campaigns at once; a start it refuses (body code C(406)) fails the task with
    the platform's message.
  - Every request spends one use of the operation's daily API quota; RV(api_calls) tells how many were spent.
  - B(A write is never sent twice.) When the answer to a write is lost, the campaigns are read once more (one more use
    of the quota). A change that shows there counts as made (a lost create does not create the campaign twice);
    otherwise the task fails, saying that the outcome is unknown.
  - When a write fails part-way (the daily quota is spent, a limit is reached), the task fails and RV(changes) says
    which writes were applied and which were not. Running the task again makes the rest.
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
      - The campaigns before and after, in O(config)'s shape.
  idempotent:
    support: full
options:
  config:
    description:
      - The campaigns, each one identified by O(config[].name).
      - With O(state=merged), O(state=replaced) and O(state=overridden), the campaigns to have. With O(state=deleted),
        the campaigns to B(delete) (only O(config[].name) and O(config[].id) count); it must list at least one.
      - Required with every O(state) but O(state=gathered), where it is not allowed.
      - The RV(gathered) list of O(state=gathered) is a valid O(config).
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - The campaign's name, which identifies it. Not empty; spaces around it do not count; case counts.
          - The platform lets two campaigns have one name; a task that would change such a campaign fails before any
            write, saying so.
        type: str
        required: true
      id:
        description:
          - The campaign's ID on the platform, which the platform sets when it creates the campaign.
          - Returned in RV(before), RV(after) and RV(gathered). When given, it must be the ID of the campaign with that
            O(config[].name), or the task fails before any write; it may not be given for a campaign to create.
        type: str
      type:
        description:
          - The campaign's type.
          - Required to create a campaign. B(It cannot change) - given for an existing campaign, it must be the
            platform's, or the task fails before any write.
        type: str
        choices: [predictive, preview]
      description:
        description:
          - The campaign's description.
          - When not given, empty for a new campaign, and with O(state=replaced) and O(state=overridden); the
            platform's value with O(state=merged).
        type: str
      skill:
        description:
          - The skill whose agents work the campaign - its ID (digits only, as RV(gathered) shows it) or its name.
          - A name is resolved to the skill's ID through one read of the skills per task; a name no skill has (or that
            two skills have), or an ID no skill has when the skills are read, fails the task before any write.
          - V("") is no skill.
          - Required to create a campaign. When not given, an existing campaign keeps its skill, whatever O(state).
        type: str
      start_time:
        description:
          - The time of day the campaign starts dialling, V(HH:MM:SS) from V(00:00:00) to V(23:59:59). B(Quote it) - YAML
            reads an unquoted V(18:00:00) as a number.
          - The platform takes it for every campaign, though only predictive campaigns use it.
          - Required to create a campaign. When not given, an existing campaign keeps its time, whatever O(state).
        type: str
      end_time:
        description:
          - The time of day the campaign stops dialling, as O(config[].start_time).
          - Required to create a campaign. When not given, an existing campaign keeps its time, whatever O(state).
        type: str
      status:
        description:
          - Whether the campaign is V(started) (dialling) or V(stopped).
          - The platform creates a campaign stopped; one to create V(started) is created, then started (two writes).
          - When not given, an existing campaign keeps its status, whatever O(state).
        type: str
        choices: [started, stopped]
      speed:
        description:
          - The campaign's dialling speed, a whole number from V(0) to V(100).
          - When not given, an existing campaign keeps its speed, whatever O(state), and a new one gets the platform's
            (V(null) in RV(after) until it is read).
        type: int
  state:
    description:
      - V(merged) creates the listed campaigns that are missing and sets the given attributes of those that exist;
        it deletes nothing.
      - V(replaced) gives each listed campaign exactly the given attributes; O(config[].description) not given goes
        back to empty, the other attributes not given stay as they are. Campaigns not listed are left alone.
      - V(overridden) sets the listed campaigns as V(replaced) does, and B(leaves the campaigns not listed as they
        are), with a warning naming them - it never deletes.
      - V(deleted) B(deletes) the listed campaigns, one C(delete_campaign) each. This cannot be undone. With no
        campaign listed, it fails.
      - V(gathered) only reads, and returns the current campaigns in RV(gathered).
    type: str
    choices: [merged, replaced, overridden, deleted, gathered]
    default: merged
notes:
  - Each run sends one read, plus one read of the skills when a skill is named by its name, plus one write per change in
    RV(changes), plus one read after each write whose answer was lost.
  - The order of writes is deletions first, then changes, then creations; within each, the campaigns by name. The writes
    of one campaign are sent together - a stop first, then the edit and the speed, a start last.
seealso:
  - module: wolkvox.wolkvox.wolkvox_skills
    description: Manage the skills that campaigns name.
  - module: wolkvox.wolkvox.wolkvox_operation_info
    description: Read the campaigns with other information of the operation.
"""

EXAMPLES = r"""
- name: A predictive campaign that dials from 8 to 6, started at half speed
  module_defaults:
    group/wolkvox.wolkvox.wolkvox:
      server: "{{ wolkvox_server }}"
      token: "{{ wolkvox_token }}"  # vaulted
  block:
    - name: Create or update the campaign
      wolkvox.wolkvox.wolkvox_campaigns:
        config:
          - name: Renewals 2026
            type: predictive
            description: Customers whose contract ends this quarter
            skill: Sales  # a skill's name or ID
            start_time: "08:00:00"
            end_time: "18:00:00"
            speed: 50
            status: started
      delegate_to: localhost

- name: Stop a campaign
  wolkvox.wolkvox.wolkvox_campaigns:
    config:
      - name: Renewals 2026
        status: stopped
  delegate_to: localhost

- name: Delete a campaign (this cannot be undone)
  wolkvox.wolkvox.wolkvox_campaigns:
    state: deleted
    config:
      - name: Renewals 2025
  delegate_to: localhost

- name: Read the campaigns
  wolkvox.wolkvox.wolkvox_campaigns:
    state: gathered
  delegate_to: localhost
  register: campaigns

- name: Show the campaigns that are dialling
  ansible.builtin.debug:
    msg: "{{ campaigns.gathered | selectattr('status', 'eq', 'started') | map(attribute='name') | list }}"
"""

RETURN = r"""
before:
  description: The campaigns before the task, in O(config)'s shape (with C(id)), sorted by name.
  returned: success, when O(state) is not V(gathered); on a failure after the read
  type: list
  elements: dict
  sample: [{"name": "Renewals 2026", "id": "23910", "type": "predictive", "description": "", "skill": "3",
            "start_time": "08:00:00", "end_time": "18:00:00", "status": "stopped", "speed": 100}]
after:
  description:
    - The campaigns after the task, in O(config)'s shape, sorted by name (in check mode, as they would be).
    - Computed from the campaigns read and the writes made; not read again. The C(id) of a campaign created is the one
      the platform answered (V(null) in check mode), and its C(speed) V(null) unless O(config[].speed) was given.
  returned: success, when O(state) is not V(gathered)
  type: list
  elements: dict
  sample: [{"name": "Renewals 2026", "id": "23910", "type": "predictive", "description": "", "skill": "3",
            "start_time": "08:00:00", "end_time": "18:00:00", "status": "started", "speed": 50}]
gathered:
  description:
    - The campaigns, in O(config)'s shape, sorted by name. C(skill) is the skill's ID (V("") for none).
    - A value the platform sends in an unknown form (a status neither C(Started) nor C(Stopped), say) shows as
      V(null), with a warning.
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample: [{"name": "Survey", "id": "23911", "type": "preview", "description": "", "skill": "",
            "start_time": "08:00:00", "end_time": "18:00:00", "status": "started", "speed": 100}]
changes:
  description:
    - One entry per write, in the order sent (in check mode, the writes that would be sent).
    - C(action) is V(create), V(update), V(speed), V(start), V(stop) or V(delete); C(key) the campaign's name; C(id)
      the campaign's ID when it exists before the task.
    - V(create) has C(after) (the campaign's name, type, description, skill and times); V(update) has C(before) and
      C(after), the fields changed; V(speed) has C(after) (and C(before) for an existing campaign); V(delete) has
      C(before), the campaign deleted.
    - C(reason) explains a V(start) that follows a V(create).
    - On a failure, each entry has C(applied) (whether the write was made), and the failed one C(error).
  returned: success, when O(state) is not V(gathered); on a failure after the read
  type: list
  elements: dict
  sample:
    - {"action": "update", "key": "Renewals 2026", "id": "23910", "before": {"end_time": "18:00:00"},
       "after": {"end_time": "19:00:00"}}
    - {"action": "speed", "key": "Renewals 2026", "id": "23910", "before": {"speed": 100}, "after": {"speed": 50}}
    - {"action": "start", "key": "Renewals 2026", "id": "23910"}
diff:
  description: The campaigns before and after, by name, in diff mode.
  returned: success, in diff mode, when something changes (or would, in check mode); never for O(state=gathered)
  type: dict
  sample: {"before": {"Survey": {"name": "Survey", "id": "23911", "type": "preview", "description": "", "skill": "",
                                 "start_time": "08:00:00", "end_time": "18:00:00", "status": "started", "speed": 100}},
           "after": {}}
api_calls:
  description: The HTTP requests sent, retries included. Each one spent a use of the daily quota.
  returned: always
  type: int
  sample: 4
"""

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _campaigns
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._runner import run_module


def main():
    run_module(_campaigns)


if __name__ == "__main__":
    main()
