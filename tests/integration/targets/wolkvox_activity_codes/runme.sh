#!/usr/bin/env bash
set -eu
source ../setup_simulator/simulator.sh
start_simulator "$(pwd)/fixture.json"
playbook_on_both_paths playbook.yml "$@"

# the token in neither path's output at -vvvv, and the diff shown there
for path in true false; do
    reset_simulator
    output=$(ansible-playbook -i localhost, -c local -e wolkvox_fast_path=$path secrets.yml -vvvv 2>&1)
    if grep -q "itest-codes-4e1f9a7b2c" <<< "$output"; then echo "the token shows at -vvvv (wolkvox_fast_path=$path)"; exit 1; fi
    grep -q '+        "description": "Wrong number"' <<< "$output" || { echo "no diff shown at -vvvv (wolkvox_fast_path=$path)"; exit 1; }
    if grep -q "Callback dispatch" <<< "$output"; then echo "a callback failed (wolkvox_fast_path=$path)"; exit 1; fi
done
