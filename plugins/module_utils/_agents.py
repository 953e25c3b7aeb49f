# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE and for internal use only: its names may change without notice.

"""wolkvox_agents: the operation's agents, as a resource (see _resource.py).

Read: ``GET information.php?api=agents``.  Create: ``POST configuration.php?api=create_agent``.  Edit:
``PUT configuration.php?api=edit_agent&agent_id=ID``.  Enable and disable: ``PUT configuration.php?api=enable_agent``
and ``api=disable_agent``.  The platform cannot delete an agent: removing one disables it.

A password the platform generates (an agent created without one) never reaches a result: it is appended to
``generated_passwords_file`` when that option is set, and otherwise dropped with a warning.
"""

import datetime
import json
import os
import re
import stat

from ansible.module_utils.common.text.converters import to_bytes, to_text

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _resource
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import WolkvoxError
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._normalize import is_empty, to_flag
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._resource import (
    KEY,
    READ_ONLY,
    WRITE_ONLY,
    Attribute,
    Write,
)

FIELDS = {"dni": "agent_dni", "name": "agent_name", "sso": "agent_sso", "password": "agent_pass"}
DONE = ("200", "201", "202")
SWITCH = {True: ("enable", "enable_agent"), False: ("disable", "disable_agent")}


def text(value):
    return to_text(value if value is not None else "").strip()


def name_text(value):
    """A name with its white space normalised: the platform returns double spaces."""
    name = re.sub(r"\s+", " ", text(value))
    if not name:
        raise ValueError("is empty: give the agent's name")
    return name


def dni_text(value):
    dni = text(value)
    if not dni:
        raise ValueError("is empty: give the agent's identity document number (its dni)")
    return dni


def password_text(value):
    if to_text(value) == "":
        raise ValueError("is empty: leave password out to let the platform generate one")
    return to_text(value)


def platform(params):
    return "contact_center"


class Agents(_resource.Resource):
    NAME = "agent"
    PLURAL = "agents"
    ATTRIBUTES = dict(
        dni=Attribute(kind=KEY, normalize=dni_text),
        id=Attribute(kind=READ_ONLY, normalize=text),
        name=Attribute(normalize=name_text),
        sso=Attribute(default="", normalize=text),
        enabled=Attribute(type="bool", default=True),
        password=Attribute(kind=WRITE_ONLY, no_log=True, normalize=password_text),
    )
    REMOVE_ALL_OPTION = "allow_disable_all"
    REMOVE_VERB = "disable"

    def __init__(self, params=None):
        super().__init__(params)
        self.ids = {}  # dni -> the platform's agent_id (extension), read or learnt from a create
        self.disabling = []

    # -- options -------------------------------------------------------------------------------------------

    def check(self, params):
        path = params.get("generated_passwords_file")
        if not path:
            return
        directory = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(directory):
            raise _resource.bad_option("generated_passwords_file %r is in a directory that does not exist (%s): create "
                                       "it first" % (path, directory))
        if os.path.islink(path) or (os.path.exists(path) and not os.path.isfile(path)):
            raise _resource.bad_option("generated_passwords_file %r is not a regular file: give the path of a file "
                                       "(it is created if missing, with mode 0600)" % (path,))
        if not os.access(path if os.path.exists(path) else directory, os.W_OK):
            raise _resource.bad_option("generated_passwords_file %r cannot be written by this user" % (path,))

    # -- reading -------------------------------------------------------------------------------------------

    def read(self, client):
        answer = client.contact_center("information", "agents", allow_not_found=True)
        data = answer.data
        if answer.status == 404 or is_empty(data) or data == [] or data == {}:
            return []
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list) or not all(isinstance(record, dict) for record in data):
            raise WolkvoxError("the platform's agents are not a list of records (msg: %r)" % answer.msg, "bad_answer")
        items = []
        for record in data:
            dni, agent_id = text(record.get("agent_dni")), text(record.get("agent_id"))
            enabled = to_flag(record.get("enabled"))
            if enabled is None:
                self.warnings.append("agent %s (id %s): enabled is %r, neither yes nor no; it shows as enabled: null"
                                     % (dni, agent_id, record.get("enabled")))
            items.append(dict(dni=dni, id=agent_id, name=re.sub(r"\s+", " ", text(record.get("agent_name"))),
                              sso=text(record.get("agent_sso")), enabled=enabled))
            self.ids.setdefault(dni, agent_id)
        return items

    def removed(self, item):
        return dict(item, enabled=False)

    # -- planning ------------------------------------------------------------------------------------------

    def _password_to_send(self, given):
        if given and self.params.get("update_password") == "always":
            return given.get("password")
        return None

    def writes(self, before, after, given):
        if before is not None and after is not None and not _resource.differing(self, before, after) \
                and self._password_to_send(given):
            return self.update(before, after, given)
        return super().writes(before, after, given)

    def create(self, after, given):
        dni = after["dni"]
        password = (given or {}).get("password")
        body = {"agent_dni": dni, "agent_name": after["name"], "agent_sso": after["sso"], "agent_pass": password or ""}

        def send(client):
            answer = client.contact_center("configuration", "create_agent", method="POST", body=body)
            self._refused(answer, "create agent %s" % dni)
            record = answer.data[0] if isinstance(answer.data, list) and answer.data else answer.data
            record = record if isinstance(record, dict) else {}
            agent_id = text(record.get("agent_id")) or None
            self.ids[dni] = agent_id
            if not password:
                self._keep(dni, agent_id, record.get("password"))
            return {"id": agent_id}

        def learn(index):
            agent_id = index[dni]["id"]
            self.ids[dni] = agent_id
            if not password:
                self.warnings.append(
                    "agent %s (id %s) was created, but the answer with the password the platform generated for it was "
                    "lost: give it one with password and update_password: always" % (dni, agent_id))
            return {"id": agent_id}

        writes = [Write("create", dni, send, expect=lambda index: dni in index, learn=learn,
                        details=dict(after=_resource.subset(after, ("dni", "name", "sso")),
                                     password="given" if password else "generated"))]
        if not after["enabled"]:
            writes.append(self._switch(dni, False, None, "created disabled: the platform creates an agent enabled"))
        return writes

    def update(self, before, after, given):
        dni, agent_id = after["dni"], before["id"]
        changed = _resource.differing(self, before, after)
        fields = [name for name in changed if name in ("name", "sso")]
        password = self._password_to_send(given)
        writes = []
        if fields or password:
            body = dict((FIELDS[name], after[name]) for name in fields)
            if password:
                body["agent_pass"] = password

            def send(client):
                answer = client.contact_center("configuration", "edit_agent", method="PUT",
                                               query={"agent_id": agent_id}, body=body)
                self._refused(answer, "edit agent %s (id %s)" % (dni, agent_id))

            def expect(index):
                if not fields:
                    return None  # a password cannot be read back
                return dni in index and all(index[dni][name] == after[name] for name in fields)

            details = dict(id=agent_id, before=_resource.subset(before, fields), after=_resource.subset(after, fields))
            if password:
                details["password"] = "given"
            writes.append(Write("update", dni, send, expect, details=details))
        if "enabled" in changed:
            removal = after["enabled"] is False and (given is None or self.params.get("state") == "deleted")
            reason = None
            if removal:
                self.disabling.append(dni)
                reason = ("%s: the platform cannot delete an agent, so it is disabled"
                          % ("not in config (state overridden)" if given is None else "state deleted"))
            writes.append(self._switch(dni, after["enabled"], agent_id, reason))
        return writes

    def _switch(self, dni, enable, agent_id, reason=None):
        action, api = SWITCH[bool(enable)]

        def send(client):
            current = self.ids.get(dni)
            answer = client.contact_center("configuration", api, method="PUT", body={"agent_id": current})
            self._refused(answer, "%s agent %s (id %s)" % (action, dni, current))

        details = dict(id=agent_id) if agent_id else {}
        return Write(action, dni, send, expect=lambda index: dni in index and index[dni]["enabled"] is bool(enable),
                     reason=reason, details=details)

    def planned(self, targets):
        if self.disabling:
            shown = (self.params.get("state"), len(self.disabling), ", ".join(self.disabling))
            self.warnings.append(
                "state %s disables %d agent(s) (%s) rather than deleting them, since the platform cannot delete an "
                "agent: a disabled agent still holds its license" % shown)

    # -- answers -------------------------------------------------------------------------------------------

    @staticmethod
    def _refused(answer, what):
        if answer.code in DONE or not answer.code.isdigit() or int(answer.code) < 400:
            return
        raise WolkvoxError("the platform refused to %s (body code %s: %s)"
                           % (what, answer.code, answer.msg or answer.error or "no message"), "refused",
                           status=answer.status)

    def _keep(self, dni, agent_id, password):
        """Append a generated password to generated_passwords_file, or warn that it is not kept."""
        path = self.params.get("generated_passwords_file")
        if not password:
            self.warnings.append("agent %s (id %s) was created without a password, and the platform's answer held none"
                                 % (dni, agent_id))
            return
        if not path:
            self.warnings.append(
                "the platform generated a password for agent %s (id %s), which no output shows and this task did not "
                "keep: set generated_passwords_file to keep generated passwords, or give the agent one with password "
                "and update_password: always" % (dni, agent_id))
            return
        line = "- %s\n" % json.dumps(dict(dni=dni, id=agent_id, password=to_text(password),
                                          created=datetime.datetime.now().replace(microsecond=0).isoformat()))
        try:
            append_private(path, line)
        except OSError as exc:
            error = WolkvoxError(
                "agent %s (id %s) was created, but the password the platform generated for it could not be written to "
                "generated_passwords_file %s (%s): give the agent a password with password and update_password: always"
                % (dni, agent_id, path, exc.strerror or exc), "password_file")
            error.applied = True
            raise error from None


def append_private(path, line):
    """Append ``line`` to ``path``, created with mode 0600 if missing; a link is refused, a wider mode narrowed."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags, 0o600)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise OSError("not a regular file")
        if stat.S_IMODE(info.st_mode) & 0o077:
            os.fchmod(descriptor, 0o600)
        os.write(descriptor, to_bytes(line))
    finally:
        os.close(descriptor)


ARGUMENT_SPEC = _resource.argument_spec(
    Agents,
    update_password=dict(type="str", default="on_create", choices=["on_create", "always"], no_log=False),
    generated_passwords_file=dict(type="path"),
    allow_disable_all=dict(type="bool", default=False),
)


def run(client, params, check_mode=False, diff=False):
    return _resource.run(Agents(params), client, params, check_mode=check_mode, diff=diff)
