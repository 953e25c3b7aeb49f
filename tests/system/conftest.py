# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""System tests: real ansible-playbook runs of the installed collection against the simulator.

`make system` runs them with the collection on ANSIBLE_COLLECTIONS_PATH and ansible-playbook on PATH.
"""

import importlib.util
import os
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SIMULATOR = os.path.join(ROOT, "simulator", "wolkvox_simulator.py")


def _simulator_module():
    spec = importlib.util.spec_from_file_location("wolkvox_simulator", SIMULATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


Simulator = _simulator_module().SimulatorProcess


@pytest.fixture
def simulator(tmp_path):
    started = []

    def start(fixture):
        sim = Simulator(tmp_path, fixture)
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


def playbook(workdir, args, env=None):
    """Run ansible-playbook in ``workdir``; return (exit code, stdout and stderr together)."""
    run = subprocess.run(["ansible-playbook"] + list(args), cwd=str(workdir), env=dict(os.environ, **(env or {})),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600, check=False)
    return run.returncode, run.stdout
