#!/usr/bin/env bash
set -eu
source ../setup_simulator/simulator.sh
start_simulator "$(pwd)/../setup_simulator/files/fleet.json"
ansible-playbook -i localhost, -c local playbook.yml "$@"
