# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE and for internal use only: its names may change without notice.

"""wolkvox_dnc: the operation's do-not-call numbers, inbound and outbound, as a resource.

Read: ``GET information.php?api=get_dnc&type=all`` (both directions in one read; each record's ``type`` is
``inbound`` or ``outbound``).  Add: ``POST configuration.php?api=add_dnc`` with ``type_call`` and ``telephones``.
Remove: ``DELETE configuration.php?api=remove_dnc`` with ``type`` and ``telephones``.  Both take at most 10,000
numbers a request.

A list holds tens of thousands of numbers, so this resource plans with sets of strings, one per direction, rather
than with the engine's item by item planning (see _resource.py); it keeps the engine's states, messages, check mode,
and its way of sending writes (``send_writes``: a lost answer reconciled by one more read, a failure part-way saying
which requests were applied).  A number is compared by its digits only: ``+57 300-123 4567`` is ``573001234567``.
Each write is a batch: the numbers of one direction and action, up to 10,000, in number order.
"""

import re

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _resource
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import WolkvoxError
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._normalize import is_empty
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._resource import KEY, STATES, Attribute, Write, bad_option

DIRECTIONS = ("inbound", "outbound")
MAX_PER_CALL = 10000  # telephones in one add_dnc or remove_dnc
MAX_DIGITS = 20       # the longest number the platform takes
LISTED = 100          # the numbers a change entry lists; count says how many its request carries
DONE = ("200", "201", "202")
NOT_DIGITS = re.compile(r"[^0-9]")
LETTERS = re.compile(r"[A-Za-z]")


def platform(params):
    return "contact_center"


def digits(value):
    """A number as it is compared and sent: its digits only (ValueError when it has none, or letters)."""
    text = to_text(value).strip()
    if LETTERS.search(text):
        raise ValueError("is %r: a telephone number is digits (spaces, dashes, dots, parentheses and a leading + are "
                         "dropped), not letters" % (value,))
    number = NOT_DIGITS.sub("", text)
    if not number:
        raise ValueError("is %r, which has no digit: give a telephone number, such as '+57 300 123 4567'" % (value,))
    if len(number) > MAX_DIGITS:
        raise ValueError("is %r, %d digits: the platform takes numbers of at most %d digits"
                         % (value, len(number), MAX_DIGITS))
    return number


def direction_text(value):
    return to_text(value).strip().lower()


def order(number):
    """Numbers in numeric order (they are digit strings of any length)."""
    return (len(number), number)


class Dnc(_resource.Resource):
    NAME = "do-not-call number"
    PLURAL = "do-not-call numbers"
    ATTRIBUTES = dict(
        phone=Attribute(kind=KEY, normalize=digits),
        direction=Attribute(kind=KEY, normalize=direction_text, choices=list(DIRECTIONS)),
    )
    REMOVE_ALL_OPTION = "allow_remove_all"

    def __init__(self, params=None):
        super().__init__(params)
        # direction -> {number: [the forms the platform holds it in]}, only for numbers it holds in a form that is not
        # the digits alone (+573001234567), which is what remove_dnc must be given
        self.forms = dict((direction, {}) for direction in DIRECTIONS)

    # -- config ------------------------------------------------------------------------------------------------

    def wanted(self, config, state):
        """{direction: set of numbers} of config, checked as the engine's validate() checks config items (the same
        messages), without an item dict per number; raise WolkvoxError before any request."""
        if state not in STATES:
            raise bad_option("state must be one of %s, not %r" % (", ".join(STATES), state))
        if state == "gathered":
            if config:
                raise bad_option("state gathered only reads: leave config out (it returns the %s in config's shape, "
                                 "in gathered)" % self.PLURAL)
            return None
        if config is None and state in ("merged", "replaced", "overridden"):
            what = ("config: the complete list of %s (config: [] removes every one)" % self.PLURAL
                    if state == "overridden" else "config: the %s to set" % self.PLURAL)
            raise bad_option("state %s needs %s" % (state, what))
        if not isinstance(config or [], list):
            raise bad_option("config must be a list of %s, not %r" % (self.PLURAL, type(config).__name__))
        wanted = dict((direction, set()) for direction in DIRECTIONS)
        accepted = ", ".join(self.ATTRIBUTES)
        for position, raw in enumerate(config or []):
            where = "config[%d]" % position
            if not isinstance(raw, dict):
                raise bad_option("%s is %r: each item of config is a mapping of %s" % (where, raw, accepted))
            if len(raw) > 2 or any(name not in self.ATTRIBUTES for name in raw):
                unknown = sorted(set(raw) - set(self.ATTRIBUTES))
                raise bad_option("%s has %s %s: the attributes of %s are %s" % (
                    where, "an unknown attribute" if len(unknown) == 1 else "unknown attributes", ", ".join(unknown),
                    self.NAME, accepted))
            for name in ("phone", "direction"):
                if raw.get(name) is None or (isinstance(raw.get(name), str) and not raw[name].strip()):
                    raise bad_option("%s has no %s: every item of config names its %s" % (where, name, name))
            number, side = self._phone(raw["phone"], where), self._direction(raw["direction"], where)
            if number in wanted[side]:
                raise bad_option("%s and config[%d] are the same %s (%s): list each %s once"
                                 % (where, self._first(config, number, side), self.NAME,
                                    self.key_words((number, side)), self.NAME))
            wanted[side].add(number)
        return wanted

    @staticmethod
    def _phone(value, where):
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise bad_option("%s.phone is %r: give text (quote it in YAML)" % (where, value))
        try:
            return digits(value)
        except ValueError as exc:
            raise bad_option("%s.phone %s" % (where, exc)) from None

    @staticmethod
    def _direction(value, where):
        side = direction_text(value) if isinstance(value, str) else value
        if side not in DIRECTIONS:
            raise bad_option("%s.direction is %r: give one of %s" % (where, value, ", ".join(DIRECTIONS)))
        return side

    @staticmethod
    def _first(config, number, side):
        for position, raw in enumerate(config):
            if direction_text(raw["direction"]) == side and NOT_DIGITS.sub("", to_text(raw["phone"])) == number:
                return position
        return -1

    def check_removal(self, state, wanted, params):
        if not self.REMOVE_ALL_OPTION or params.get(self.REMOVE_ALL_OPTION):
            return
        listed = any(wanted[direction] for direction in DIRECTIONS)
        if state in ("deleted", "overridden") and not listed:
            raise bad_option(
                "state %s with %s would remove every %s of the operation (both directions): set %s: true to confirm, "
                "or list the %s to %s" % (state, "no item in config" if state == "deleted" else "config: []",
                                          self.NAME, self.REMOVE_ALL_OPTION, self.PLURAL,
                                          "remove" if state == "deleted" else "keep"))

    # -- reading -----------------------------------------------------------------------------------------------

    def read(self, client):
        """{direction: set of numbers}; the forms of numbers held other than as digits go to self.forms."""
        answer = client.contact_center("information", "get_dnc", query={"type": "all"}, allow_not_found=True)
        data = answer.data
        numbers = dict((direction, set()) for direction in DIRECTIONS)
        forms = dict((direction, {}) for direction in DIRECTIONS)
        if answer.status == 404 or is_empty(data) or data == [] or data == {}:
            self.forms = forms
            return numbers
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list) or not all(isinstance(record, dict) for record in data):
            raise WolkvoxError("the platform's do-not-call numbers are not a list of records (msg: %r)" % answer.msg,
                               "bad_answer")
        odd_types, no_digits = {}, []
        for record in data:
            raw = to_text(record.get("phone_number") if record.get("phone_number") is not None else "").strip()
            side = direction_text(record.get("type") or "")
            if side not in numbers:
                odd_types[side] = odd_types.get(side, 0) + 1
                continue
            number = NOT_DIGITS.sub("", raw)
            if not number:
                no_digits.append(raw)
                continue
            held = forms[side]
            if raw != number or number in held:
                if number not in held:
                    held[number] = [number] if number in numbers[side] else []
                held[number].append(raw)
            numbers[side].add(number)
        for side, count in sorted(odd_types.items()):
            self.warnings.append("%d do-not-call record(s) have type %r, neither inbound nor outbound: they are left "
                                 "out" % (count, side))
        if no_digits:
            self.warnings.append("%d do-not-call record(s) have a phone_number with no digit (%s): they are left out"
                                 % (len(no_digits), ", ".join(repr(raw) for raw in no_digits[:5])))
        self.forms = forms
        return numbers

    def index(self, items):
        return items  # read() gives the sets by direction that the writes' expect take

    # -- planning ----------------------------------------------------------------------------------------------

    def plan(self, current, wanted, state):
        """[(action, direction, sorted numbers)] in the order to send: removals, then additions; inbound first."""
        removals, additions = [], []
        for side in DIRECTIONS:
            if state == "overridden":
                removals.append((side, current[side] - wanted[side]))
            elif state == "deleted":
                listed = any(wanted[direction] for direction in DIRECTIONS)
                removals.append((side, current[side] & wanted[side] if listed else set(current[side])))
            if state in ("merged", "replaced", "overridden"):
                additions.append((side, wanted[side] - current[side]))
        return ([("remove", side, sorted(numbers, key=order)) for side, numbers in removals if numbers]
                + [("add", side, sorted(numbers, key=order)) for side, numbers in additions if numbers])

    def batches(self, planned):
        """The requests for the plan: each direction's numbers of each action in batches of at most MAX_PER_CALL
        telephones (a number the platform holds in several forms is removed in all of them, in one batch)."""
        writes = []
        for action, side, numbers in planned:
            chunks = list(self._chunks(action, side, numbers))
            for position, (chunk, telephones) in enumerate(chunks):
                writes.append(self._write(action, side, chunk, telephones, position + 1, len(chunks)))
        return writes

    def _chunks(self, action, side, numbers):
        forms = self.forms[side] if action == "remove" else {}
        chunk, telephones = [], []
        for number in numbers:
            sent = forms.get(number) or [number]
            if telephones and len(telephones) + len(sent) > MAX_PER_CALL:
                yield chunk, telephones
                chunk, telephones = [], []
            chunk.append(number)
            telephones.extend(sent)
        if chunk:
            yield chunk, telephones

    def _write(self, action, side, chunk, telephones, number, total):
        if action == "add":
            api, method, body = "add_dnc", "POST", {"type_call": side, "telephones": telephones}
        else:
            api, method, body = "remove_dnc", "DELETE", {"telephones": telephones, "type": side}
        label = "%s %d %s %s%s" % (action, len(chunk), side, self.PLURAL if len(chunk) > 1 else self.NAME,
                                   " (request %d of %d)" % (number, total) if total > 1 else "")

        def send(client):
            answer = client.contact_center("configuration", api, method=method, body=body)
            if answer.code in DONE or not answer.code.isdigit() or int(answer.code) < 400:
                return None
            raise WolkvoxError("the platform refused to %s (body code %s: %s)"
                               % (label, answer.code, answer.msg or answer.error or "no message"), "refused",
                               status=answer.status, body=answer.envelope)

        if action == "add":
            def expect(index):
                return index[side].issuperset(chunk)
        else:
            def expect(index):
                return index[side].isdisjoint(chunk)

        details = dict(direction=side, count=len(chunk), numbers=chunk[:LISTED], truncated=len(chunk) > LISTED)
        return Write(action, None, send, expect, details=details, keys=chunk, label=label)


def by_direction(numbers):
    """{direction: [numbers in order]}: how before, after and diff show the lists."""
    return dict((side, sorted(numbers[side], key=order)) for side in DIRECTIONS)


def config_shape(numbers):
    """The numbers as config items, by direction then number (what state gathered returns)."""
    return [dict(phone=number, direction=side) for side in DIRECTIONS for number in sorted(numbers[side], key=order)]


def gather(client):
    """The do-not-call numbers in config's shape (what state gathered returns), for wolkvox_operation_info."""
    resource = Dnc({})
    numbers = resource.read(client)
    for warning in resource.warnings:
        client.warn(warning)
    return config_shape(numbers)


def _flush(resource, client):
    for warning in resource.warnings:
        client.warn(warning)
    del resource.warnings[:]


ARGUMENT_SPEC = _resource.argument_spec(Dnc, allow_remove_all=dict(type="bool", default=False),
                                        src=dict(type="path"))
MUTUALLY_EXCLUSIVE = [("config", "src")]


def read_src(path):
    """The numbers of a CSV file, as config items would give them: ``phone,direction`` on each line (a header
    line, blank lines and lines starting with # are skipped). Ansible carries only the path: a list of tens of
    thousands of mappings in a variable costs Ansible hundreds of MB, this costs the module a few."""
    items = []
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                text = line.strip()
                if not text or text.startswith("#"):
                    continue
                fields = [field.strip().strip('"') for field in text.split(",")]
                if number == 1 and fields[0].lower() == "phone":
                    continue
                if len(fields) != 2:
                    raise bad_option("src %s, line %d is %r: each line is phone,direction (such as "
                                     "3001234567,inbound)" % (path, number, text))
                items.append(dict(phone=fields[0], direction=fields[1]))
    except (IOError, OSError, UnicodeDecodeError) as exc:
        raise bad_option("src %s cannot be read (%s): give the path of a CSV file of phone,direction lines on the "
                         "host that runs the module (the controller, with delegate_to: localhost)" % (path, exc))
    return items


def run(client, params, check_mode=False, diff=False):
    resource = Dnc(params)
    state = params.get("state") or "merged"
    config = params.get("config")
    if params.get("src"):
        if state == "gathered":
            raise bad_option("state gathered only reads: leave src out")
        config = read_src(params["src"])
    wanted = resource.wanted(config, state)
    if state != "gathered":
        resource.check_removal(state, wanted, params)
    current = resource.read(client)
    _flush(resource, client)
    if state == "gathered":
        return dict(changed=False, gathered=config_shape(current))
    planned = resource.plan(current, wanted, state)
    writes = resource.batches(planned)
    before = by_direction(current)
    result = dict(changed=bool(writes), before=before, changes=[dict(write.entry) for write in writes])
    if not check_mode:
        _resource.send_writes(resource, client, writes, before)
    _flush(resource, client)
    after = dict((side, set(current[side])) for side in DIRECTIONS)
    for action, side, numbers in planned:
        if action == "add":
            after[side].update(numbers)
        else:
            after[side].difference_update(numbers)
    result["after"] = by_direction(after)
    if diff:
        result["diff"] = dict(before=before, after=result["after"])
    return result
