# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Types at the edge: odd values the platform sends, read as whole numbers, flags and timestamps."""

import pytest

from ansible_collections.wolkvox.wolkvox.plugins.module_utils._normalize import to_flag, to_int, to_iso_timestamp


@pytest.mark.parametrize("value, expected", [
    ("4800", 4800), (" 4800 ", 4800), (4800, 4800), ("4800.0", 4800), (4800.0, 4800), ("-3", -3),
    ("", None), (" ", None), ("-", None), (None, None),
])
def test_to_int(value, expected):
    assert to_int(value) == expected


@pytest.mark.parametrize("value", ["48a0", "4,800", "4800.5", True, [], {}])
def test_to_int_refuses_what_is_not_a_whole_number(value):
    with pytest.raises(ValueError):
        to_int(value)


@pytest.mark.parametrize("value, expected", [
    ("yes", True), ("Yes", True), ("YES", True), (" yes ", True), ("si", True), ("sí", True), ("SÍ", True),
    (True, True), ("no", False), ("NO", False), (" no", False), (False, False),
    ("", None), (" ", None), ("-", None), (None, None), ("maybe", None),
])
def test_to_flag(value, expected):
    assert to_flag(value) is expected


@pytest.mark.parametrize("value, expected", [
    ("2026-01-20 13:42:47", "2026-01-20T13:42:47"),
    ("2026-01-20T13:42:47", "2026-01-20T13:42:47"),
    ("2026-01-20 13:42", "2026-01-20T13:42:00"),
    ("20260120134247", "2026-01-20T13:42:47"),
    ("2026-01-20", "2026-01-20T00:00:00"),
    (" 2026-01-20 13:42:47 ", "2026-01-20T13:42:47"),
    ("20/01/2026 1:42 pm", "20/01/2026 1:42 pm"),  # not understood: kept as sent
    ("", None), (" ", None), ("-", None), (None, None),
])
def test_to_iso_timestamp(value, expected):
    assert to_iso_timestamp(value) == expected
