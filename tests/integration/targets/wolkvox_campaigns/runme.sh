#!/usr/bin/env bash
set -eu
source ../setup_simulator/simulator.sh
start_simulator "$(pwd)/fixture.json"
playbook_on_both_paths playbook.yml "$@"
