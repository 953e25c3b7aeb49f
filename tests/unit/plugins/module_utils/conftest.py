# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures that several test files of the logic files need."""

import pytest

from ansible_collections.wolkvox.wolkvox.simulator.wolkvox_simulator import Simulator
from ansible_collections.wolkvox.wolkvox.tests.utils.hostile_server import HostileServer
from ansible_collections.wolkvox.wolkvox.tests.utils.simulated import acme_fleet


@pytest.fixture
def hostile():
    with HostileServer() as server:
        yield server


@pytest.fixture
def acme_sim():
    """The simulator serving acme_fleet() (tests/utils/simulated.py); client_for() gives a client on it."""
    with Simulator(acme_fleet()) as server:
        yield server
