#!/usr/bin/env bash
set -eu
source ../setup_simulator/simulator.sh
start_simulator "$(pwd)/../setup_simulator/files/fleet.json"
ansible-playbook -i localhost, -c local playbook.yml "$@"
# connection settings from the environment only, as an AWX credential or a CI secret gives them
WOLKVOX_SERVER="$WOLKVOX_SIM_URL" WOLKVOX_TOKEN=itest-alpha-3c9d0e1f \
    ansible-playbook -i localhost, -c local env_only.yml "$@"
