# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE and for internal use only: its names may change without notice.

"""The engine of the resource modules: a whole list in one task, one read per run, writes only for the differences.

A resource is a small declaration, a subclass of :class:`Resource`: its attributes (one of them the key), how to
read the current items (in ``config``'s own shape), and which writes take an item from one state to another
(:class:`Write`, each one a request with what it shows in ``changes`` and how to see it in a list read again).
The engine does the rest, the same way for every resource:

1. validate ``config`` (types, duplicate keys, unknown attributes) before any request;
2. read the current items once;
3. plan, for the state asked, the item each key should end as, and the writes that get it there;
4. send the writes in order (removals, then changes, then creations; each item's writes together), or in check
   mode only predict them;
5. when a write's outcome is unknown (its answer was lost), read the list once more and count the write as applied
   if the change shows there; otherwise fail, saying so: a write is never sent twice;
6. when a write fails part-way, fail with ``changes`` saying which writes were applied and which were not.

States: ``merged`` (create missing items, set the given attributes, remove nothing), ``replaced`` (the listed items
get exactly the given attributes; an attribute not given goes back to its default), ``overridden`` (the resource becomes
exactly ``config``), ``deleted`` (the listed items, or all of them when ``config`` lists none) and ``gathered``
(read only).  What "removed" means is the resource's: an allowed IP is deleted, an agent is disabled.

A key may be made of several KEY attributes (an activity code is its group and its code): it is then the tuple of
their values, shown as ``main/020`` (``Resource.key_text``).  A platform that takes many items in one request gets
its writes of each phase through ``Resource.batched``, which may merge them into batch writes (:func:`batch`), each
covering the keys of the writes it stands for and counted as applied, after a lost answer, when all of them show.
"""

from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import BOOLEANS_FALSE, BOOLEANS_TRUE

from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import OUTCOME_UNKNOWN, WolkvoxError

STATES = ("merged", "replaced", "overridden", "deleted", "gathered")

# What an attribute is:
KEY = "key"                # identifies an item; required in every config item
MANAGED = "managed"        # read, compared and written
READ_ONLY = "read_only"    # read and returned (the platform sets it); when given in config it must match
WRITE_ONLY = "write_only"  # written, never read nor returned (a password)

# The order writes are sent in: removals free room (licenses, address limits) for what is created after them.
PHASE_REMOVE, PHASE_UPDATE, PHASE_CREATE = 0, 1, 2


class _NoDefault:
    def __repr__(self):
        return "NO_DEFAULT"


NO_DEFAULT = _NoDefault()


def bad_option(msg):
    return WolkvoxError(msg, "bad_option")


class Attribute:
    """One attribute of a resource's items.

    ``type``: ``str``, ``bool``, ``int``, ``list`` or ``dict``.  ``default``: the value of an item that does not set it
    (when created, or with ``replaced`` and ``overridden``); NO_DEFAULT for an attribute that must be given to create
    an item and that keeps its value otherwise.  ``keep``: an attribute not given keeps its current value whatever the
    state (it is not managed then), and a new item gets ``default``.  ``normalize``: a function from a value of the
    right type to its canonical form, raising ValueError with a message that says what is accepted.  ``no_log``: the
    value is a secret.  ``choices``: the values accepted (once normalised), or None for any.

    A ``list`` has ``elements``, an Attribute for each element (itself a ``dict`` with ``options`` for a list of
    mappings); a ``dict`` has ``options``, an Attribute by name, ``required`` ones needing a value.  Each element and
    option is typed and normalised in turn, then the whole value by ``normalize``.
    """

    def __init__(self, type="str", kind=MANAGED, default=NO_DEFAULT, normalize=None, no_log=False, choices=None,
                 elements=None, options=None, required=False, keep=False):
        # pylint: disable=redefined-builtin
        self.type = type
        self.kind = kind
        self.default = default
        self.normalize = normalize
        self.no_log = no_log
        self.choices = list(choices) if choices is not None else None
        self.elements = elements
        self.options = options
        self.required = required
        self.keep = keep

    def spec(self):
        """The attribute's entry in the argument spec of ``config``'s suboptions."""
        spec = dict(type=self.type)
        if self.kind == KEY or self.required:
            spec["required"] = True
        if self.no_log:
            spec["no_log"] = True
        if self.choices is not None:
            spec["choices"] = list(self.choices)
        if self.type == "list" and self.elements is not None:
            spec["elements"] = self.elements.type
            if self.elements.options:
                spec["options"] = dict((name, option.spec()) for name, option in self.elements.options.items())
        if self.type == "dict" and self.options:
            spec["options"] = dict((name, option.spec()) for name, option in self.options.items())
        return spec


class Write:
    """One request of a plan.

    ``action`` and ``key`` open its entry in ``changes`` (``details`` adds to it; never a secret); ``send(client)``
    makes the request and returns the read-only values it learnt (an agent's new id) or None; ``expect(index)`` tells
    from the items read again (a dict by key) whether the write shows there: True, False, or None when the list
    cannot tell; ``learn(index)`` returns the read-only values a write applied without an answer left there.
    ``note`` is added to the message when this write fails after an earlier write of the same item was applied
    (the second half of a remove-and-add).

    A write that stands for several items (one request for many: a batch, see :func:`batch`) has ``key`` None and
    ``keys`` the keys it covers; its entry has no ``key`` (its ``details`` say what it covers), it learns nothing,
    and ``label`` names it in messages (``remove activity codes main/020, main/021``).
    """

    def __init__(self, action, key, send, expect, details=None, reason=None, learn=None, note=None, keys=None,
                 label=None):
        self.action = action
        self.key = key
        self.keys = list(keys) if keys is not None else [key]
        self.label = label
        self.send = send
        self.expect = expect
        self.learn = learn
        self.note = note
        self.entry = dict(action=action)
        if key is not None:
            self.entry["key"] = key
        if reason:
            self.entry["reason"] = reason
        self.entry.update(details or {})


class Resource:
    """A resource: subclasses declare NAME, PLURAL, ATTRIBUTES and implement read, create, update and remove."""

    NAME = "item"
    PLURAL = "items"
    ATTRIBUTES = {}
    # the name of a boolean option that must be true for a task that would remove every item (deleted with no item
    # listed, overridden with config: []), or None when such a task needs no confirmation
    REMOVE_ALL_OPTION = None
    REMOVE_VERB = "remove"  # what removing an item does, for messages ("disable" for agents)

    def __init__(self, params=None):
        self.params = params or {}
        self.warnings = []

    # -- the declaration --------------------------------------------------------------------------------------

    @classmethod
    def key_name(cls):
        """The KEY attribute (the first one, when the key is made of several)."""
        return cls.key_names()[0]

    @classmethod
    def key_names(cls):
        """The KEY attributes: one, or several when no one of them alone tells the items apart."""
        return [name for name, attribute in cls.ATTRIBUTES.items() if attribute.kind == KEY]

    @classmethod
    def key_of(cls, item):
        """An item's key: its KEY attribute's value, or the tuple of the values of its KEY attributes."""
        names = cls.key_names()
        if len(names) == 1:
            return item.get(names[0])
        return tuple(item.get(name) for name in names)

    def key_text(self, key):
        """A key as ``changes``, diffs and messages show it: the value, or ``main/020`` for a key of several."""
        if isinstance(key, tuple):
            return "/".join(to_text(part) for part in key)
        return key

    def key_words(self, key):
        """A key in a sentence: ``name a``, or ``group main, code 020``."""
        parts = key if isinstance(key, tuple) else (key,)
        return ", ".join("%s %s" % (name, to_text(part)) for name, part in zip(self.key_names(), parts))

    @classmethod
    def names(cls, *kinds):
        return [name for name, attribute in cls.ATTRIBUTES.items() if attribute.kind in kinds]

    @classmethod
    def shown(cls):
        """The attributes of an item as results show it, in declaration order."""
        return cls.names(KEY, MANAGED, READ_ONLY)

    def sort_key(self, key):
        if isinstance(key, tuple):
            return tuple(to_text(part) for part in key)
        return to_text(key)

    def check(self, params):
        """Check the module's other options before any request; raise WolkvoxError."""

    def check_item(self, item, where):
        """Check one validated config item (``where`` is ``config[N]``) before any request; raise WolkvoxError."""

    def batched(self, phase, writes):
        """The writes to send for one phase (PHASE_REMOVE, PHASE_UPDATE or PHASE_CREATE), from the writes planned for
        it, in order: the same by default; a platform that takes many items in one request merges them (see batch)."""
        return writes

    def index(self, items):
        """The items read again after a lost answer, as the ``expect`` of writes take them: a dict by key."""
        return index_items(self, items)[0]

    def planned(self, targets):
        """Called with the plan's targets once they are planned (to add warnings about them)."""

    # -- the platform: subclasses ---------------------------------------------------------------------------

    def read(self, client):
        """The current items, each a dict with the KEY, MANAGED and READ_ONLY attributes, in config's shape."""
        raise NotImplementedError

    def prepare(self, client, items, wanted, state):
        """Called once after read() (not after a read again) and before planning, gathered included: make the
        extra reads the plan needs (an item's members), and put names in the config items ``wanted`` in the
        platform's terms (a name resolved to an ID); ``items`` and ``wanted`` may be changed in place. Raise
        WolkvoxError for a config the reads show to be wrong: no write has been sent yet."""

    def removed(self, item):
        """What removing ``item`` leaves: None (it is gone) or the item as it stays (an agent, disabled)."""
        return None

    def create(self, after, given):
        """The writes that create ``after``; ``given`` is the config item (with any WRITE_ONLY value)."""
        raise NotImplementedError

    def update(self, before, after, given):
        """The writes that take ``before`` to ``after`` (they differ in MANAGED attributes)."""
        raise NotImplementedError

    def remove(self, before):
        """The writes that delete ``before`` (when removed() returns None)."""
        raise NotImplementedError

    def writes(self, before, after, given):
        """The writes that take ``before`` to ``after`` (either may be None); none when they are the same."""
        if before is None and after is None:
            return []
        if before is None:
            return self.create(after, given)
        if after is None:
            return self.remove(before)
        if differing(self, before, after):
            return self.update(before, after, given)
        return []


def differing(resource, before, after):
    """The MANAGED attributes whose values differ between two items, in declaration order."""
    return [name for name in resource.names(MANAGED) if before.get(name) != after.get(name)]


def subset(item, names):
    return dict((name, item.get(name)) for name in names)


# -- arguments ------------------------------------------------------------------------------------------------


def argument_spec(resource_class, **extra):
    """The module options of a resource module: config (its attributes as suboptions), state, and ``extra``."""
    options = dict((name, attribute.spec()) for name, attribute in resource_class.ATTRIBUTES.items())
    spec = dict(
        config=dict(type="list", elements="dict", options=options),
        state=dict(type="str", default="merged", choices=list(STATES)),
    )
    spec.update(extra)
    return spec


def _convert(attribute, value, where):
    """``value`` of ``attribute``, typed and normalised; raise WolkvoxError saying what is accepted (and never
    showing the value of a secret)."""
    if attribute.no_log and (isinstance(value, bool) or not isinstance(value, (str, int, float))):
        raise bad_option("%s is a %s: give text (quote it in YAML)" % (where, type(value).__name__))
    if attribute.type == "bool":
        if isinstance(value, bool):
            pass
        elif isinstance(value, str) and value.strip().lower() in BOOLEANS_TRUE:
            value = True
        elif isinstance(value, str) and value.strip().lower() in BOOLEANS_FALSE:
            value = False
        else:
            raise bad_option("%s is %r: give true or false" % (where, value))
    elif attribute.type == "int":
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise bad_option("%s is %r: give a whole number" % (where, value))
        try:
            value = int(value)
        except ValueError:
            raise bad_option("%s is %r: give a whole number" % (where, value)) from None
    elif attribute.type == "list":
        if not isinstance(value, list):
            raise bad_option("%s is %r: give a list" % (where, value))
        if attribute.elements is not None:
            value = [_convert(attribute.elements, element, "%s[%d]" % (where, position))
                     for position, element in enumerate(value)]
    elif attribute.type == "dict":
        value = _convert_dict(attribute, value, where)
    else:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise bad_option("%s is %r: give text (quote it in YAML)" % (where, value))
        value = to_text(value)
    if attribute.normalize is not None:
        try:
            value = attribute.normalize(value)
        except ValueError as exc:
            raise bad_option("%s %s" % (where, exc)) from None
    if attribute.choices is not None and value not in attribute.choices:
        raise bad_option("%s is %r: give one of %s" % (where, value, ", ".join(to_text(one) for one in attribute.choices)))
    return value


def _convert_dict(attribute, value, where):
    """A mapping of ``attribute.options``, each option typed and normalised (None and absent left out)."""
    options = attribute.options or {}
    if not isinstance(value, dict):
        raise bad_option("%s is %r: give a mapping of %s" % (where, value, ", ".join(options)))
    unknown = sorted(set(value) - set(options))
    if unknown:
        raise bad_option("%s has %s %s: give %s" % (
            where, "an unknown key" if len(unknown) == 1 else "unknown keys", ", ".join(unknown), ", ".join(options)))
    converted = {}
    for name, option in options.items():
        if value.get(name) is None:
            if option.required:
                raise bad_option("%s has no %s: give it" % (where, name))
            continue
        converted[name] = _convert(option, value[name], "%s.%s" % (where, name))
    return converted


def validate(resource, config, state, params=None):
    """The config items, each a dict of the attributes given (typed, normalised; None and absent left out).

    Raises WolkvoxError before any request: an item that is not a mapping, an unknown attribute, a value of the
    wrong type, a missing or duplicate key, a secret given where it means nothing, a missing config where it is
    needed, and a removal of every item that its confirming option does not allow.
    """
    params = params or {}
    accepted = ", ".join(resource.ATTRIBUTES)
    if state not in STATES:
        raise bad_option("state must be one of %s, not %r" % (", ".join(STATES), state))
    if state == "gathered":
        if config:
            raise bad_option("state gathered only reads: leave config out (it returns the %s in config's shape, "
                             "in gathered)" % resource.PLURAL)
        return []
    if config is None and state in ("merged", "replaced", "overridden"):
        what = ("config: the complete list of %s (config: [] removes every one)" % resource.PLURAL
                if state == "overridden" else "config: the %s to set" % resource.PLURAL)
        raise bad_option("state %s needs %s" % (state, what))
    if not isinstance(config or [], list):
        raise bad_option("config must be a list of %s, not %r" % (resource.PLURAL, type(config).__name__))
    items = []
    seen = {}
    for position, raw in enumerate(config or []):
        where = "config[%d]" % position
        if not isinstance(raw, dict):
            raise bad_option("%s is %r: each item of config is a mapping of %s" % (where, raw, accepted))
        unknown = sorted(set(raw) - set(resource.ATTRIBUTES))
        if unknown:
            raise bad_option("%s has %s %s: the attributes of %s are %s" % (
                where, "an unknown attribute" if len(unknown) == 1 else "unknown attributes", ", ".join(unknown),
                resource.NAME, accepted))
        item = {}
        for name, attribute in resource.ATTRIBUTES.items():
            value = raw.get(name)
            if value is None:
                continue
            item[name] = _convert(attribute, value, "%s.%s" % (where, name))
        for key in resource.key_names():
            if item.get(key) in (None, ""):
                raise bad_option("%s has no %s: every item of config names its %s" % (where, key, key))
        resource.check_item(item, where)
        if state == "deleted":
            secrets = [name for name in resource.names(WRITE_ONLY) if name in item]
            if secrets:
                raise bad_option("%s gives %s with state deleted, which sends none: leave it out"
                                 % (where, ", ".join(secrets)))
        key = resource.key_of(item)
        if key in seen:
            raise bad_option("%s and config[%d] are the same %s (%s): list each %s once"
                             % (where, seen[key], resource.NAME, resource.key_words(key), resource.NAME))
        seen[key] = position
        items.append(item)
    removes_all = (state == "deleted" and not items) or (state == "overridden" and not items)
    if removes_all and resource.REMOVE_ALL_OPTION and not params.get(resource.REMOVE_ALL_OPTION):
        raise bad_option("state %s with %s would %s every %s of the operation: set %s: true to confirm, or list the "
                         "%s to %s" % (state, "no item in config" if state == "deleted" else "config: []",
                                       resource.REMOVE_VERB, resource.NAME, resource.REMOVE_ALL_OPTION, resource.PLURAL,
                                       resource.REMOVE_VERB if state == "deleted" else "keep"))
    return items


# -- planning --------------------------------------------------------------------------------------------------


class Target:
    """What one item becomes: ``before`` and ``after`` (None when absent), the config item, and its writes."""

    def __init__(self, key, before, after, given, removal):
        self.key = key
        self.before = before
        self.after = after
        self.given = given
        self.removal = removal
        self.writes = []

    @property
    def phase(self):
        if self.removal:
            return PHASE_REMOVE
        return PHASE_CREATE if self.before is None else PHASE_UPDATE


def index_items(resource, items):
    """``({key: item}, {key: [items]} of keys the platform holds more than once)``."""
    index, duplicates = {}, {}
    for item in items:
        key = resource.key_of(item)
        if key in index or key in duplicates:
            duplicates.setdefault(key, [index.pop(key)] if key in index else []).append(item)
        else:
            index[key] = item
    return index, duplicates


def _the_new_item(resource, given, before, state, position):
    """The item a config item asks for, from the current one (None if missing) and the state."""
    item = dict((key, given[key]) for key in resource.key_names())
    shown = resource.key_text(resource.key_of(given))
    for name in resource.names(MANAGED):
        attribute = resource.ATTRIBUTES[name]
        if name in given:
            item[name] = given[name]
        elif before is not None and (state == "merged" or attribute.default is NO_DEFAULT or attribute.keep):
            item[name] = before.get(name)
        elif attribute.default is not NO_DEFAULT:
            item[name] = attribute.default
        else:
            raise bad_option("config[%d]: %s %s does not exist, and %s is needed to create it"
                             % (position, resource.NAME, shown, name))
    if before is not None:
        _check_read_only(resource, given, before, position)
    for name in resource.names(READ_ONLY):
        if before is not None:
            item[name] = before.get(name)
        else:
            if name in given:
                raise bad_option("config[%d]: %s %s does not exist, and its %s is set by the platform when it is "
                                 "created: leave %s out" % (position, resource.NAME, shown, name, name))
            item[name] = None
    return item


def _check_read_only(resource, given, before, position):
    """A READ_ONLY value given in config must be the platform's."""
    for name in resource.names(READ_ONLY):
        if name in given and given[name] != before.get(name):
            raise bad_option("config[%d]: %s %s has %s %s on the platform, not %s: leave %s out or give its value"
                             % (position, resource.NAME, resource.key_text(resource.key_of(given)), name, before.get(name),
                                given[name], name))


def plan(resource, items, wanted, state):
    """The targets (each with its writes) that bring ``items`` (the current ones) to what ``state`` and the
    validated config items ``wanted`` ask, in the order their writes are to be sent."""
    index, duplicates = index_items(resource, items)
    targets = []
    listed = set()
    for position, given in enumerate(wanted):
        name = resource.key_of(given)
        listed.add(name)
        if name in duplicates:
            raise _ambiguous(resource, name, duplicates[name], "config[%d]" % position)
        before = index.get(name)
        if state == "deleted":
            after = resource.removed(before) if before is not None else None
            if before is not None:
                _check_read_only(resource, given, before, position)
            targets.append(Target(name, before, after, given, removal=True))
        else:
            after = _the_new_item(resource, given, before, state, position)
            targets.append(Target(name, before, after, given, removal=False))
    if state == "overridden" or (state == "deleted" and not wanted):
        for name in list(index) + list(duplicates):
            if name in listed:
                continue
            if name in duplicates:
                leftovers = [resource.removed(item) for item in duplicates[name]]
                if any(left != item for left, item in zip(leftovers, duplicates[name])):
                    raise _ambiguous(resource, name, duplicates[name], "state %s" % state)
                continue
            before = index[name]
            targets.append(Target(name, before, resource.removed(before), None, removal=True))
    for target in targets:
        target.writes = resource.writes(target.before, target.after, target.given)
    targets.sort(key=lambda target: (target.phase, resource.sort_key(target.key)))
    return targets


def _ambiguous(resource, name, items, where):
    shown = ", ".join(repr(dict((k, v) for k, v in item.items() if k in resource.names(READ_ONLY)) or item)
                      for item in items)
    return bad_option("%s: the platform holds %d %s with %s (%s): the module cannot tell them apart. Give each "
                      "its own %s on the platform first" % (where, len(items), resource.PLURAL, resource.key_words(name),
                                                            shown, "/".join(resource.key_names())))


def sorted_items(resource, items):
    return [subset(item, resource.shown()) for item in sorted(items, key=lambda item: resource.sort_key(resource.key_of(item)))]


def _after(resource, items, targets):
    """The items once the targets are applied."""
    touched = dict((target.key, target) for target in targets)
    result = [item for item in items if resource.key_of(item) not in touched]
    result.extend(target.after for target in targets if target.after is not None)
    return result


# -- running ---------------------------------------------------------------------------------------------------


def run(resource, client, params, check_mode=False, diff=False):
    """A resource module's whole logic: the result (without api_calls), or WolkvoxError with ``details``."""
    state = params.get("state") or "merged"
    wanted = validate(resource, params.get("config"), state, params)
    resource.check(params)
    items = resource.read(client)
    _flush(resource, client)
    resource.prepare(client, items, wanted, state)
    _flush(resource, client)
    if state == "gathered":
        duplicates = index_items(resource, items)[1]
        for name, held in sorted(duplicates.items(), key=lambda pair: resource.sort_key(pair[0])):
            client.warn("the platform holds %d %s with %s: give each its own %s, or the other states cannot "
                        "manage them" % (len(held), resource.PLURAL, resource.key_words(name),
                                         "/".join(resource.key_names())))
        return dict(changed=False, gathered=sorted_items(resource, items))
    targets = plan(resource, items, wanted, state)
    resource.planned(targets)
    _flush(resource, client)
    writes = phased_writes(resource, targets)
    before = sorted_items(resource, items)
    result = dict(changed=bool(writes), before=before, changes=[dict(write.entry) for write in writes])
    if not check_mode:
        learnt = _apply(resource, client, writes, before)
        for target in targets:
            if target.after is not None and target.key in learnt:
                target.after.update(learnt[target.key])
    _flush(resource, client)
    result["after"] = sorted_items(resource, _after(resource, items, targets))
    if diff and (writes or result["after"] != before):
        # no drift, no diff: a fleet's --check --diff run shows (and carries) only what would change
        result["diff"] = dict(before=keyed(resource, before), after=keyed(resource, result["after"]))
    return result


def phased_writes(resource, targets):
    """The writes of the targets, in order, each phase's as the resource batches them, their keys shown as text."""
    writes = []
    for phase in (PHASE_REMOVE, PHASE_UPDATE, PHASE_CREATE):
        planned = [write for target in targets if target.phase == phase for write in target.writes]
        if planned:
            writes.extend(resource.batched(phase, planned))
    for write in writes:
        if "key" in write.entry:
            write.entry["key"] = resource.key_text(write.entry["key"])
    return writes


def batch(action, parts, send, details=None, reason=None, label=None):
    """One write that sends one request for ``parts`` (writes planned each for its own item, of one phase): it covers
    their keys, and shows in the items read again when every part does (False when one does not, None when one
    cannot tell and none does not)."""
    def expect(index):
        seen = [part.expect(index) for part in parts]
        if any(shown is False for shown in seen):
            return False
        return None if any(shown is None for shown in seen) else True

    keys = [key for part in parts for key in part.keys]
    return Write(action, None, send, expect, details=details, reason=reason, keys=keys, label=label)


def keyed(resource, items):
    """The items as a mapping by key, the form Ansible's callbacks show as a diff."""
    return dict((to_text(resource.key_text(resource.key_of(item))), item) for item in items)


def _flush(resource, client):
    """Show the resource's warnings, once."""
    for warning in resource.warnings:
        client.warn(warning)
    del resource.warnings[:]


def _apply(resource, client, writes, before):
    """Send the writes in order; return {key: read-only values learnt}. On a failure, raise WolkvoxError whose
    ``details`` say which writes were applied (``changes`` with ``applied``)."""
    applied = [False] * len(writes)
    learnt = {}
    for number, write in enumerate(writes):
        try:
            values = write.send(client)
        except WolkvoxError as exc:
            _flush(resource, client)
            if getattr(exc, "applied", False):  # applied, then something after it failed (a file to write)
                applied[number] = True
                raise _failure(resource, exc, writes, applied, number, before, failed=False) from None
            if exc.kind != OUTCOME_UNKNOWN:
                raise _failure(resource, exc, writes, applied, number, before) from None
            values = _reconcile(resource, client, write, exc, writes, applied, number, before)
        _flush(resource, client)
        applied[number] = True
        if values and write.key is not None:
            learnt.setdefault(write.key, {}).update(values)
    return learnt


def send_writes(resource, client, writes, before):
    """Send ``writes`` as run() does (a lost answer reconciled by reading again, a failure part-way saying what was
    applied), for a resource that plans its writes itself; return {key: read-only values learnt}."""
    return _apply(resource, client, writes, before)


def _reconcile(resource, client, write, exc, writes, applied, number, before):
    """After a write whose answer was lost: read the items once more; the values learnt if the write shows there,
    else raise the failure (its outcome is unknown)."""
    what = write.label or "%s %s %s" % (write.action, resource.NAME, resource.key_text(write.key))
    try:
        index = resource.index(resource.read(client))
    except WolkvoxError as again:
        exc.msg += (". Reading the %s again to see whether %s was applied failed too (%s)"
                    % (resource.PLURAL, what, again.msg))
        raise _failure(resource, exc, writes, applied, number, before) from None
    shown = write.expect(index)
    if shown:
        client.warn("the answer to %s was lost (%s); the %s, read again, show it applied, so it counts as done and "
                    "was not sent again" % (what, _cause(exc), resource.PLURAL))
        learnt = write.learn(index) if write.learn else None
        _flush(resource, client)
        return learnt
    if shown is None:
        exc.msg = ("the answer to %s was lost (%s), and the %s, read again, cannot show whether it was applied: its "
                   "outcome is unknown. It was not sent again" % (what, _cause(exc), resource.PLURAL))
    else:
        exc.msg = ("the answer to %s was lost (%s), and the %s, read again, do not show it: its outcome is unknown "
                   "(most likely it was not applied). It was not sent again; run the task again to send it"
                   % (what, _cause(exc), resource.PLURAL))
    exc.args = (exc.msg,)
    raise _failure(resource, exc, writes, applied, number, before)


def _cause(exc):
    text = exc.msg.split(" outcome is unknown: ", 1)[-1]
    return text.split(". The platform may have applied it")[0]


def _failure(resource, exc, writes, applied, number, before, failed=True):
    """``exc`` with the changes made and not made in its message and ``details``."""
    changes = []
    for position, write in enumerate(writes):
        entry = dict(write.entry, applied=applied[position])
        if position == number:
            entry["error"] = exc.msg
        changes.append(entry)
    done = sum(applied)
    if len(writes) > 1 or done:
        exc.msg = "%s. %d of the %d changes of this task were applied before it stopped (see changes: applied); " \
                  "running the task again makes the rest" % (exc.msg.rstrip("."), done, len(writes))
    write = writes[number]
    if failed and write.note and any(applied[position] for position, other in enumerate(writes[:number])
                                     if set(other.keys) & set(write.keys)):
        exc.msg += ". " + write.note
    exc.args = (exc.msg,)
    exc.details = dict(getattr(exc, "details", None) or {}, changed=bool(done), changes=changes, before=before)
    return exc
