# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE and for internal use only: its names may change without notice.

"""Types at the edge: the platform sends "4800", "yes", " ", "2026-01-20 13:42:47"; results carry 4800,
True, None and "2026-01-20T13:42:47"."""

import datetime
import re

from ansible.module_utils.common.text.converters import to_text

EMPTY_VALUES = ("", "-")  # after stripping; a single space strips to ""

TRUE_WORDS = frozenset(("yes", "y", "si", "sí", "true", "1", "on", "active", "activo"))
FALSE_WORDS = frozenset(("no", "n", "false", "0", "off", "inactive", "inactivo"))

TIMESTAMP_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y%m%d%H%M%S",
    "%Y-%m-%d",
    "%Y%m%d",
)


def is_empty(value):
    """None, "", " " and "-" are how the platform says "no value"."""
    return value is None or (isinstance(value, str) and value.strip() in EMPTY_VALUES)


def to_int(value):
    """An integer from 4800, "4800", " 4800 " or "4800.0"; None for an empty value; ValueError otherwise."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != int(value):
            raise ValueError(value)
        return int(value)
    text = to_text(value).strip()
    if re.match(r"^[+-]?\d+$", text):
        return int(text)
    if re.match(r"^[+-]?\d+\.0*$", text):
        return int(float(text))
    raise ValueError(value)


def to_flag(value):
    """True or False for a yes/no value, or None when the value is empty or not a yes/no word."""
    if isinstance(value, bool):
        return value
    if is_empty(value):
        return None
    word = to_text(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def to_iso_timestamp(value):
    """``YYYY-MM-DDTHH:MM:SS`` when the value parses as a timestamp, the text as sent when it does not,
    None when it is empty."""
    if is_empty(value):
        return None
    text = to_text(value).strip()
    for form in TIMESTAMP_FORMATS:
        try:
            moment = datetime.datetime.strptime(text, form)
        except ValueError:
            continue
        return moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%S")
    return text
