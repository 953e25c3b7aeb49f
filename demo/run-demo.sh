#!/usr/bin/env bash
# The demo: build and install the collection, start the wolkvox simulator with a demo fleet, audit the
# fleet with `ansible-playbook wolkvox.wolkvox.audit`, let some traffic spend the budgets, audit it again (the
# history then gives each operation's last uses and a projection), show the summary and the reports, stop the
# simulator.
set -eu -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
out="$top/.build/demo"
rm -rf "$out"
mkdir -p "$out/collections" "$out/reports"

# shellcheck source=demo/lib.sh
source "$here/lib.sh"
demo_start "$top" "$out" "$top/simulator/fixtures/demo.json"
WOLKVOX_DEMO_REPORTS="$out/reports"
WOLKVOX_DEMO_HISTORY="$out/history.jsonl"
export WOLKVOX_DEMO_REPORTS WOLKVOX_DEMO_HISTORY
echo "== The wolkvox simulator serves the demo fleet on $WOLKVOX_SERVER"

echo "== A first audit starts the history in $WOLKVOX_DEMO_HISTORY"
ANSIBLE_COLLECTIONS_PATH="$out/collections" ansible-playbook wolkvox.wolkvox.audit -i "$here/inventory.yml" > "$out/first-run.log"

echo "== Traffic spends 300 uses of bogota-retail and 150 of cali-crm; the second audit projects each budget"
python3 - "$WOLKVOX_SERVER" <<'PY'
import json, sys, urllib.request
state = {op["name"]: op for op in json.load(urllib.request.urlopen(sys.argv[1] + "/_sim/state"))["operations"]}
for name, spent in (("bogota-retail", 300), ("cali-crm", 150)):
    used = state[name]["tokens"][0]["used_today"] + spent
    request = urllib.request.Request(sys.argv[1] + "/_sim/tokens/" + name, data=json.dumps({"used_today": used}).encode(),
                                     method="POST")
    urllib.request.urlopen(request).read()
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/_sim/requests", method="DELETE")).read()  # count anew
PY
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
for op in report["operations"]:
    projection = [c["message"] for c in op["checks"] if c["name"] == "budget_projection" and c["read"]]
    if projection:
        print("   %-18s %s" % (op["operation"], projection[0]))
PY
echo "== History: $WOLKVOX_DEMO_HISTORY ($(wc -l < "$WOLKVOX_DEMO_HISTORY") lines, one per operation and run)"
echo "== Reports:"
for ext in json md junit.xml html; do echo "   $out/reports/wolkvox-audit.$ext"; done
