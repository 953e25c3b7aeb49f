#!/usr/bin/env bash
# Operations as code (make demo-as-code): build and install the collection, start the wolkvox simulator with a small
# fleet (demo/as-code/fleet.json), export it into a Git repository with `ansible-playbook wolkvox.wolkvox.export`,
# edit one declaration, show the drift with `wolkvox.wolkvox.provision --check --diff`, apply it, check that nothing
# drifts any more, and say where the files are. Stops the simulator at the end.
set -eu -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
out="$top/.build/demo-as-code"
repo="$out/wolkvox-operations"
rm -rf "$out"
mkdir -p "$out/collections" "$out/reports" "$repo"

# shellcheck source=demo/lib.sh
source "$here/lib.sh"
demo_start "$top" "$out" "$here/as-code/fleet.json"
WOLKVOX_DEMO_REPORTS="$out/reports"
ANSIBLE_COLLECTIONS_PATH="$out/collections"
ANSIBLE_CALLBACK_RESULT_FORMAT=yaml
export WOLKVOX_DEMO_REPORTS ANSIBLE_COLLECTIONS_PATH ANSIBLE_CALLBACK_RESULT_FORMAT
echo "== The wolkvox simulator serves the demo fleet on $WOLKVOX_SERVER"

# What the simulator saw since the last call: reads and writes (each one a use of the daily quota), then forget them.
requests() {
    python3 - "$WOLKVOX_SERVER" "$1" <<'PY'
import json, sys, urllib.request
url, what = sys.argv[1], sys.argv[2]
seen = json.load(urllib.request.urlopen(url + "/_sim/requests"))["requests"]
writes = [entry["api"] for entry in seen if entry["method"] != "GET"]
print("== %s: %d requests seen by the simulator, %d reads and %d writes%s"
      % (what, len(seen), len(seen) - len(writes), len(writes), (" (" + ", ".join(writes) + ")") if writes else ""))
urllib.request.urlopen(urllib.request.Request(url + "/_sim/requests", method="DELETE"))
PY
}
git_() { git -C "$repo" -c user.name="wolkvox demo" -c user.email=demo@example.invalid "$@"; }

cp "$here/as-code/inventory.yml" "$repo/inventory.yml"
git_ init -q
cd "$repo"

echo
echo "== 1. Export every operation: ansible-playbook wolkvox.wolkvox.export -e wolkvox_export_dir=host_vars"
ansible-playbook wolkvox.wolkvox.export -i inventory.yml -e wolkvox_export_dir=host_vars
requests "export"
git_ add inventory.yml host_vars
git_ commit -q -m "wolkvox operations, as exported"
echo "== Committed to $repo:"
git_ log --oneline --stat | sed 's/^/   /'
echo "== host_vars/bogota-retail.yml:"
sed 's/^/   /' host_vars/bogota-retail.yml

echo
echo "== 2. Edit one declaration: Marta Diaz (bogota-retail) leaves, her agent is disabled"
python3 - host_vars/bogota-retail.yml <<'PY'
import sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
old = "{dni: '1020304052', name: Marta Diaz, sso: '', enabled: true}"
assert old in text, "the export does not hold " + old
open(path, "w", encoding="utf-8").write(text.replace(old, old.replace("enabled: true", "enabled: false")))
PY
git_ --no-pager diff --color=never | sed 's/^/   /'
git_ commit -q -am "bogota-retail: Marta Diaz leaves"

echo
echo "== 3. The drift: ansible-playbook wolkvox.wolkvox.provision --check --diff (overridden, from inventory.yml)"
ansible-playbook wolkvox.wolkvox.provision -i inventory.yml --check --diff
requests "drift check"

echo
echo "== 4. Apply it: ansible-playbook wolkvox.wolkvox.provision"
ansible-playbook wolkvox.wolkvox.provision -i inventory.yml
requests "apply"

echo
echo "== 5. Again, in check mode: nothing drifts"
ansible-playbook wolkvox.wolkvox.provision -i inventory.yml --check > "$out/last-check.log"
requests "second drift check"
python3 - "$out/reports/wolkvox-provision.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
summary = report["summary"]
print("== Fleet: %(operations)d operations, %(unchanged)d unchanged, %(drift)d with drift, %(failed)d failed" % summary)
for op in report["operations"]:
    print("   %-15s %-9s %s" % (op["operation"], op["status"], op["summary"].split(" - ", 1)[1]))
print("== Run id %s, the same in the four reports" % report["run_id"])
PY

echo
echo "== The Git repository: $repo (git -C $repo log)"
echo "== The operations as code: $repo/host_vars/"
for file in "$repo"/host_vars/*.yml; do echo "   $file"; done
echo "== The last fleet change report (the drift check of step 5):"
for ext in json md junit.xml html; do echo "   $out/reports/wolkvox-provision.$ext"; done
