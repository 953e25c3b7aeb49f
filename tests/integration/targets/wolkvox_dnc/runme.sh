#!/usr/bin/env bash
set -eu
source ../setup_simulator/simulator.sh
start_simulator "$(pwd)/fixture.json"
playbook_on_both_paths playbook.yml "$@"

# the token in neither path's output at -vvvv, and the diff shown there one number a line
for path in true false; do
    reset_simulator
    output=$(ansible-playbook -i localhost, -c local -e wolkvox_fast_path=$path secrets.yml -vvvv 2>&1)
    if grep -q "itest-dnc-8d2c61f0a3" <<< "$output"; then echo "the token shows at -vvvv (wolkvox_fast_path=$path)"; exit 1; fi
    grep -q '^+        "6045550199"' <<< "$output" || { echo "no diff shown at -vvvv (wolkvox_fast_path=$path)"; exit 1; }
    if grep -q "Callback dispatch" <<< "$output"; then echo "a callback failed (wolkvox_fast_path=$path)"; exit 1; fi
done
