# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run galaxy-importer on a collection tarball as Galaxy would, and fail on any warning or error.

galaxy-importer exits 0 when it only warns; an upload that warns is not clean, so this treats a
WARNING or ERROR line in its log as a failure.
"""

import subprocess
import sys


def main(argv):
    if len(argv) != 2:
        raise SystemExit("usage: import-check.py COLLECTION_TARBALL")
    proc = subprocess.run([sys.executable, "-m", "galaxy_importer.main", argv[1]],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    problems = []
    for line in proc.stdout.splitlines():
        print(line)
        if line.startswith(("WARNING", "ERROR", "Traceback")):
            problems.append(line)
    if proc.returncode != 0 or problems:
        print("galaxy-importer: %d problem(s), exit code %d" % (len(problems), proc.returncode))
        return 1
    print("galaxy-importer: clean import of %s" % argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
