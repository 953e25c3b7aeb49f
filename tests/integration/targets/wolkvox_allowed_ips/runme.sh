#!/usr/bin/env bash
set -eu
source ../setup_simulator/simulator.sh
start_simulator "$(pwd)/fixture.json"
playbook_on_both_paths playbook.yml "$@"

# the token in neither path's output, at -vvvv
for path in true false; do
    reset_simulator
    output=$(ansible-playbook -i localhost, -c local -e wolkvox_fast_path=$path secrets.yml -vvvv 2>&1)
    if grep -q "itest-ips-5a7c22d0e1" <<< "$output"; then echo "the token shows at -vvvv (wolkvox_fast_path=$path)"; exit 1; fi
    grep -q '+        "ip": "203.0.113.99"' <<< "$output" || { echo "no diff shown at -vvvv (wolkvox_fast_path=$path)"; exit 1; }
    if grep -q "Callback dispatch" <<< "$output"; then echo "a callback failed (wolkvox_fast_path=$path)"; exit 1; fi
done
