# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures that several test files of the logic files need."""

import pytest

from ansible_collections.wolkvox.wolkvox.tests.utils.hostile_server import HostileServer


@pytest.fixture
def hostile():
    with HostileServer() as server:
        yield server
