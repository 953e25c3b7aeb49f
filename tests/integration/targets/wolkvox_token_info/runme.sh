#!/usr/bin/env bash
set -eu
source ../setup_simulator/simulator.sh
start_simulator "$(pwd)/../setup_simulator/files/fleet.json"
playbook_on_both_paths playbook.yml "$@"

# connection settings from the environment only, as an AWX credential or a CI secret gives them
export WOLKVOX_SERVER="$WOLKVOX_SIM_URL" WOLKVOX_TOKEN=itest-alpha-3c9d0e1f
playbook_on_both_paths env_only.yml "$@"

# which path ran, seen at -vvvv, and the token in neither output
for path in true false; do
    reset_simulator
    output=$(ansible-playbook -i localhost, -c local -e wolkvox_fast_path=$path env_only.yml -vvvv)
    if grep -q "$WOLKVOX_TOKEN" <<< "$output"; then echo "the token shows at -vvvv (wolkvox_fast_path=$path)"; exit 1; fi
    if [ "$path" = true ] && grep -q AnsiballZ_wolkvox <<< "$output"; then echo "the fast path shipped a module"; exit 1; fi
    if [ "$path" = false ] && ! grep -q AnsiballZ_wolkvox <<< "$output"; then echo "the module path shipped no module"; exit 1; fi
done
unset WOLKVOX_SERVER WOLKVOX_TOKEN

# forks sharing one token stay within the platform's two requests at once, on both paths
playbook_on_both_paths limiter.yml -i limiter_inventory.yml "$@"
