# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Put an offline pip bootstrap script where ansible-test looks before it downloads one.

ansible-test creates its virtual environments without pip and fetches a get-pip script from a host
that may be out of reach.  It first looks in ~/.ansible/test/cache/get_pip_<version>.py, so this
writes a script there, for every pip version the running ansible-test asks for, that installs pip
from the interpreter's own ensurepip and then the pins ansible-test passes on its command line.
Run it with the Python of the environment whose ansible-test will be used.
"""

import os
import re

import ansible_test

BOOTSTRAP = '''"""Offline stand-in for get-pip: pip from ensurepip, then the packages asked for."""
import subprocess
import sys

# options only get-pip knows (--no-setuptools, --no-wheel): the packages are named explicitly anyway
args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
# ensurepip runs in a process of its own: run in this one it drops the machine's pip configuration
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
'''


def main():
    source = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(source, encoding="utf-8") as handle:
        versions = sorted(set(re.findall(r"pip='([0-9.]+)'", handle.read())))
    if not versions:
        raise SystemExit("no pip version found in %s" % source)
    cache = os.path.expanduser("~/.ansible/test/cache")
    os.makedirs(cache, exist_ok=True)
    for version in versions:
        path = os.path.join(cache, "get_pip_%s.py" % version.replace(".", "_"))
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(BOOTSTRAP)
        print("pip %s bootstrap: %s" % (version, path))


if __name__ == "__main__":
    main()
