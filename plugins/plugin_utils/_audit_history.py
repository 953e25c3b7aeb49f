# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This plugin_utils is PRIVATE and for internal use only: its names may change without notice.

"""The audit's history: one compact line per operation and run in a JSON Lines file on the controller, and what
the lines of today show: the uses of the last hour, when the daily quota runs out at that rate, and the day's curve.

The file (``wolkvox_audit_history``) only grows by appends: each run adds its lines with one ``write`` to a file
opened for appending, after a line break when the file does not end with one, so a run killed part-way leaves at
worst one broken last line, which the next run's reader skips and its writer closes. Lines older than the retention
(``wolkvox_audit_history_days``) are dropped at most once an hour, by writing the lines kept to a temporary file
beside it and moving that into place, so that a run killed then leaves the file as it was. A lock file beside it
(``.<name>.lock``, ``flock``) keeps two controllers' runs from trimming under each other's appends.

A line::

    {"time": "2026-11-23T17:05:00Z", "operation": "bogota-retail", "platform": "contact_center",
     "uses": 612, "limit": 5000, "shared_uses": 971, "status": "ok"}

``uses`` is the token's uses today, ``shared_uses`` those of all the operation's tokens (``null`` for the CRM, which
does not report them, and for an operation whose budget was not read), ``resets_in_hours`` the CRM's
``hours_to_restart_count`` when it reports it. Times are UTC.
"""

import datetime
import fcntl
import json
import os

UTC = datetime.timezone.utc
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
DEFAULT_DAYS = 7
MAX_DAYS = 366
# what a projection needs: the readings since the last daily reset, and the reset before them
RECENT = datetime.timedelta(hours=26)
# appends of concurrent runs may land slightly out of time order: the backward reader reads this much further
ORDER_SLACK = HOUR
TRIM_GRACE = HOUR  # the file is rewritten to drop old lines at most once an hour
MAX_POINTS = 96  # points of a day's curve kept in a record (every 15 minutes of a day's readings, at most)
_BLOCK = 1 << 20
_TIME = "%Y-%m-%dT%H:%M:%SZ"


class HistoryError(Exception):
    """The history file cannot be read or written."""


def format_time(moment):
    return moment.astimezone(UTC).strftime(_TIME)


def parse_time(text):
    try:
        return datetime.datetime.strptime(text, _TIME).replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _count(value):
    """A whole number of uses, or None (a bool is not a count)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


# -- lines --------------------------------------------------------------------------------------------------------

def line_of(record, now):
    """The history line of one audit record (see the module's docstring), read at ``now`` (aware)."""
    token = record.get("token") or {}
    line = {
        "time": format_time(now),
        "operation": record["operation"],
        "platform": record.get("platform") or "contact_center",
        "uses": _count(token.get("token_use_today")),
        "limit": _count(token.get("token_limit")),
        "shared_uses": _count(token.get("operation_use_today")),
        "status": record.get("status"),
    }
    if _count(token.get("hours_to_restart_count")) is not None:
        line["resets_in_hours"] = token["hours_to_restart_count"]
    return line


def reading_of(line):
    """A parsed line as a reading (``at`` an aware time), or None when it is not a line of this file."""
    if not isinstance(line, dict) or not isinstance(line.get("operation"), str):
        return None
    moment = parse_time(line.get("time"))
    if moment is None:
        return None
    return {"at": moment, "operation": line["operation"], "platform": line.get("platform") or "contact_center",
            "uses": _count(line.get("uses")), "limit": _count(line.get("limit")),
            "shared_uses": _count(line.get("shared_uses")), "resets_in_hours": _count(line.get("resets_in_hours")),
            "status": line.get("status")}


def _parse(raw):
    try:
        return reading_of(json.loads(raw.decode("utf-8")))
    except ValueError:  # a broken line (a run killed while it wrote): skipped
        return None


def _lines_backwards(handle):
    """The file's lines, last first (bytes, without their line break)."""
    handle.seek(0, os.SEEK_END)
    position = handle.tell()
    rest = b""
    while position > 0:
        step = min(_BLOCK, position)
        position -= step
        handle.seek(position)
        lines = (handle.read(step) + rest).split(b"\n")
        rest = lines[0]  # may go on in the block before
        for line in reversed(lines[1:]):
            if line.strip():
                yield line
    if rest.strip():
        yield rest


def read_recent(path, since, operations=None):
    """{operation: [readings, oldest first]} of the lines at ``since`` (aware) or later, from the end of the file.

    Broken lines and lines that are not this file's are skipped. Only ``operations`` when given.
    """
    wanted = set(operations) if operations is not None else None
    found = {}
    try:
        with open(path, "rb") as handle:
            for raw in _lines_backwards(handle):
                reading = _parse(raw)
                if reading is None:
                    continue
                if reading["at"] < since - ORDER_SLACK:
                    break
                if reading["at"] >= since and (wanted is None or reading["operation"] in wanted):
                    found.setdefault(reading["operation"], []).append(reading)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise HistoryError("the history file %s cannot be read: %s" % (path, exc.strerror or exc)) from None
    for readings in found.values():
        readings.sort(key=lambda reading: reading["at"])
    return found


def _oldest(path):
    """The time of the file's first readable line, or None."""
    with open(path, "rb") as handle:
        for raw in handle:
            reading = _parse(raw.rstrip(b"\n"))
            if reading is not None:
                return reading["at"]
    return None


def _trim(path, cutoff):
    """Keep the lines at ``cutoff`` or later (and none that is broken): written aside, then moved into place."""
    directory, name = os.path.split(path)
    temporary = os.path.join(directory, ".%s.trim.tmp" % name)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out, open(path, "rb") as handle:
            for raw in handle:
                reading = _parse(raw.rstrip(b"\n"))
                if reading is not None and reading["at"] >= cutoff:
                    out.write(raw if raw.endswith(b"\n") else raw + b"\n")
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, os.stat(path).st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def append(path, lines, now, days=DEFAULT_DAYS):
    """Append ``lines`` (dicts) to the history at ``path`` (created, mode 0600, with its directory when missing);
    first drop the lines older than ``days`` when the oldest is more than an hour past that."""
    if not lines:
        return
    data = b"".join(json.dumps(line, sort_keys=False, separators=(",", ":")).encode("utf-8") + b"\n"
                    for line in lines)
    directory, name = os.path.split(path)
    try:
        os.makedirs(directory or ".", mode=0o755, exist_ok=True)
        lock = os.open(os.path.join(directory, ".%s.lock" % name), os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            cutoff = now - datetime.timedelta(days=days)
            if os.path.exists(path):
                oldest = _oldest(path)
                if oldest is not None and oldest < cutoff - TRIM_GRACE:
                    _trim(path, cutoff)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                size = os.fstat(fd).st_size
                if size:
                    with open(path, "rb") as handle:  # a line left unfinished by a killed run stays a line of its own
                        handle.seek(size - 1)
                        if handle.read(1) != b"\n":
                            data = b"\n" + data
                written = os.write(fd, data)
                while written < len(data):  # a short write: the rest, still appended
                    written += os.write(fd, data[written:])
                os.fsync(fd)
            finally:
                os.close(fd)
        finally:
            os.close(lock)
    except OSError as exc:
        raise HistoryError("the history file %s cannot be written: %s" % (path, exc.strerror or exc)) from None


# -- what the readings show ---------------------------------------------------------------------------------------

def _value(reading, budget):
    return reading["uses"] if budget == "token" else reading["shared_uses"]


def today(readings):
    """(the readings since the last daily reset, the last reset seen or None).

    A reset shows as a counter that went down from one reading to the next (the reset lies between them: the
    second one's time is returned), or as readings more than a day apart.
    """
    usable = [reading for reading in readings if reading["uses"] is not None and reading["limit"]]
    start, reset = 0, None
    for index in range(1, len(usable)):
        before, after = usable[index - 1], usable[index]
        dropped = any(_value(after, budget) is not None and _value(before, budget) is not None
                      and _value(after, budget) < _value(before, budget) for budget in ("token", "operation"))
        if dropped or after["at"] - before["at"] >= DAY:
            start = index
            if dropped:
                reset = after["at"]
    return usable[start:], reset


def _at(points, moment):
    """The value at ``moment`` on the line through ``points`` [(time, value)], oldest first, which starts before it."""
    for (t0, v0), (t1, v1) in zip(points, points[1:]):
        if t0 <= moment <= t1:
            if t1 == t0:
                return v1
            return v0 + (v1 - v0) * ((moment - t0).total_seconds() / (t1 - t0).total_seconds())
    return points[-1][1]


def last_hour(points, now):
    """(uses in the window, the window in minutes) over the last hour, or since the first point when that is later;
    None when there are fewer than two points at different times."""
    if len(points) < 2 or points[-1][0] <= points[0][0]:
        return None
    start = now - HOUR
    if points[0][0] <= start:
        base = _at(points, start)
        minutes = 60.0
    else:
        base = points[0][1]
        minutes = (now - points[0][0]).total_seconds() / 60.0
    if minutes <= 0:
        return None
    return max(points[-1][1] - base, 0), minutes


def next_reset(readings, now, reset_seen):
    """(the next daily reset, where that comes from: platform, history or assumed)."""
    last = readings[-1] if readings else None
    if last is not None and last["platform"] == "crm" and last["resets_in_hours"] is not None:
        return last["at"] + datetime.timedelta(hours=last["resets_in_hours"]), "platform"
    if reset_seen is not None:
        # the reset of a day ago, when it was seen: the latest it can have been, so the next one is not taken early
        moment = reset_seen
        while moment <= now:
            moment += DAY
        return moment, "history"
    midnight = datetime.datetime.combine(now.astimezone(UTC).date() + DAY, datetime.time(0), tzinfo=UTC)
    return midnight, "assumed"


def _thin(points, most=MAX_POINTS):
    if len(points) <= most:
        return points
    step = (len(points) - 1) / float(most - 1)
    return [points[int(round(index * step))] for index in range(most)]


def trend(readings, now):
    """What the readings of one operation (oldest first, this run's last) show; None when this run's budget was
    not read.

    The rate is the uses of the last hour (or since the first reading of the day, when that is later), for each
    budget the platform reports (the token's own, the operation's shared); at that rate each runs out when its
    uses left are spent, and the earlier of the two decides. The reset comes from the CRM's hours_to_restart_count,
    else from the last reset seen in the history (a day later), else it is taken at 00:00 UTC.
    """
    day, reset_seen = today(readings)
    if not day or day[-1]["at"] != readings[-1]["at"] or readings[-1]["uses"] is None:
        return None
    current = day[-1]
    limit = current["limit"]
    reset_at, reset_source = next_reset(readings, now, reset_seen)
    budgets = {}
    for budget in ("token", "operation"):
        points = [(reading["at"], _value(reading, budget)) for reading in day if _value(reading, budget) is not None]
        if not points or points[-1][0] != current["at"]:
            continue
        left = max(limit - points[-1][1], 0)
        window = last_hour(points, now)
        entry = {"left": left, "uses": None, "minutes": None, "rate_per_hour": None, "exhausted_at": None}
        if window is not None:
            uses, minutes = window
            rate = uses * 60.0 / minutes
            entry.update(uses=int(round(uses)), minutes=round(minutes, 1), rate_per_hour=round(rate, 1))
            if rate > 0 and left > 0:
                entry["exhausted_at"] = now + datetime.timedelta(hours=left / rate)
        budgets[budget] = entry
    # the budget that runs out first decides; without a projection, the one with fewer uses left
    decided = min(budgets, key=lambda name: (
        budgets[name]["exhausted_at"] is None, budgets[name]["exhausted_at"] or now, budgets[name]["left"]))
    chosen = budgets[decided]
    exhausted = chosen["exhausted_at"]
    points = []
    for reading in day:
        lefts = [limit - _value(reading, budget) for budget in budgets if _value(reading, budget) is not None]
        points.append([format_time(reading["at"]), round(max(min(lefts), 0) * 100.0 / limit, 2)])
    return {
        "readings_today": len(day),
        "since": format_time(day[0]["at"]),
        "budget": decided,
        "left": chosen["left"],
        "limit": limit,
        "last_hour_uses": chosen["uses"],
        "last_hour_minutes": chosen["minutes"],
        "rate_per_hour": chosen["rate_per_hour"],
        "exhausted_at": None if exhausted is None else format_time(exhausted),
        "reset_at": format_time(reset_at),
        "reset_source": reset_source,
        "before_reset": None if exhausted is None else exhausted < reset_at,
        "hours_before_reset": None if exhausted is None else round((reset_at - exhausted).total_seconds() / 3600.0, 2),
        "day_start": format_time(reset_at - DAY),
        "points": _thin(points),
    }
