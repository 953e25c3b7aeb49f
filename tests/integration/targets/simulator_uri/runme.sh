#!/usr/bin/env bash
set -eu
source ../setup_simulator/simulator.sh
start_simulator demo.json
ansible-playbook -i inventory.yml playbook.yml "$@"
