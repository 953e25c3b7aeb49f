#!/usr/bin/env bash
# The demo: build and install the collection, start the wolkvox simulator with a demo fleet, audit the
# fleet with `ansible-playbook wolkvox.wolkvox.audit`, show the summary and the reports, stop the simulator.
set -eu -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
out="$top/.build/demo"
rm -rf "$out"
mkdir -p "$out/collections" "$out/reports"

echo "== Building and installing wolkvox.wolkvox into $out/collections"
ansible-galaxy collection build "$top" --output-path "$out" > /dev/null
ansible-galaxy collection install "$out"/wolkvox-wolkvox-*.tar.gz -p "$out/collections" > /dev/null

sim="$top/simulator/wolkvox_simulator.py"
WOLKVOX_SERVER=$(python3 "$sim" start --dir "$out/simulator" --fixture "$top/simulator/fixtures/demo.json")
trap 'python3 "$sim" stop --dir "$out/simulator" > /dev/null' EXIT
WOLKVOX_DEMO_REPORTS="$out/reports"
export WOLKVOX_SERVER WOLKVOX_DEMO_REPORTS
echo "== The wolkvox simulator serves the demo fleet on $WOLKVOX_SERVER"

ANSIBLE_COLLECTIONS_PATH="$out/collections" ANSIBLE_CALLBACK_RESULT_FORMAT=yaml \
    ansible-playbook wolkvox.wolkvox.audit -i "$here/inventory.yml"

python3 - "$out/reports/wolkvox-audit.json" "$WOLKVOX_SERVER" <<'PY'
import json, sys, urllib.request
report = json.load(open(sys.argv[1]))
summary = report["summary"]
seen = json.load(urllib.request.urlopen(sys.argv[2] + "/_sim/requests"))["requests"]
print("== Fleet: %(operations)d operations, %(ok)d ok, %(warning)d warning, %(critical)d critical, %(failed)d failed" % summary)
for op in report["operations"]:
    print("   %-18s %-9s %s" % (op["operation"], op["status"], "; ".join(c["message"] for c in op["checks"])))
print("== API calls: %d by the audit's own count, %d seen by the simulator" % (summary["api_calls"], len(seen)))
print("== Routing points read for %(routing_points_read)d operations, not read for %(routing_points_not_read)d" % summary)
print("== Run id %s, the same in the four reports" % report["run_id"])
PY
echo "== Reports:"
for ext in json md junit.xml html; do echo "   $out/reports/wolkvox-audit.$ext"; done
