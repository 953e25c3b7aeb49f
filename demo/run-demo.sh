#!/usr/bin/env bash
# Start the wolkvox simulator with the demo fleet, run the demo playbook against it, stop the simulator.
set -eu -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
python3 "$here/../simulator/wolkvox_simulator.py" --port 0 --port-file "$work/port" \
    --fixture "$here/../simulator/fixtures/demo.json" > "$work/simulator.log" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null || true; wait $sim 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { cat "$work/simulator.log"; echo "the simulator did not start" >&2; exit 1; }
WOLKVOX_SERVER="http://127.0.0.1:$(cat "$work/port")"
export WOLKVOX_SERVER
echo "wolkvox simulator with the demo fleet on $WOLKVOX_SERVER"
ANSIBLE_CALLBACK_RESULT_FORMAT=yaml ANSIBLE_DISPLAY_SKIPPED_HOSTS=false \
    ansible-playbook -i "$here/inventory.yml" "$here/token_budget.yml"
echo "The simulator saw $(python3 -c 'import json,sys,urllib.request; print(len(json.load(urllib.request.urlopen(sys.argv[1]))["requests"]))' "$WOLKVOX_SERVER/_sim/requests") requests; stopping it."
