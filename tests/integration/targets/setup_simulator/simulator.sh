# shellcheck shell=bash
# Start the wolkvox simulator for one integration target and stop it when the target's script exits.
#   source ../setup_simulator/simulator.sh
#   start_simulator demo.json      # a fixture of simulator/fixtures/, or a path
# Exports WOLKVOX_SIM_URL (the base URL) and WOLKVOX_SIM_DIR (where the simulator writes its files).

_collection_root() {
    local path
    [ -n "${ANSIBLE_COLLECTIONS_PATH:-}" ] || { echo "setup_simulator: ANSIBLE_COLLECTIONS_PATH is not set" >&2; return 1; }
    for path in ${ANSIBLE_COLLECTIONS_PATH//:/ }; do
        if [ -f "$path/ansible_collections/wolkvox/wolkvox/simulator/wolkvox_simulator.py" ]; then
            echo "$path/ansible_collections/wolkvox/wolkvox"
            return 0
        fi
    done
    echo "setup_simulator: the wolkvox.wolkvox collection is not on ANSIBLE_COLLECTIONS_PATH" >&2
    return 1
}

start_simulator() {
    local root fixture
    root=$(_collection_root)
    fixture="$1"
    [ -f "$fixture" ] || fixture="$root/simulator/fixtures/$1"
    WOLKVOX_SIM_PYTHON="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
    WOLKVOX_SIM_SCRIPT="$root/simulator/wolkvox_simulator.py"
    WOLKVOX_SIM_DIR=$(mktemp -d)
    trap stop_simulator EXIT
    WOLKVOX_SIM_URL=$("$WOLKVOX_SIM_PYTHON" "$WOLKVOX_SIM_SCRIPT" start --dir "$WOLKVOX_SIM_DIR" --fixture "$fixture")
    export WOLKVOX_SIM_URL WOLKVOX_SIM_DIR
}

stop_simulator() {
    if [ -n "${WOLKVOX_SIM_DIR:-}" ]; then
        "$WOLKVOX_SIM_PYTHON" "$WOLKVOX_SIM_SCRIPT" stop --dir "$WOLKVOX_SIM_DIR" > /dev/null || true
        rm -rf "$WOLKVOX_SIM_DIR"
        WOLKVOX_SIM_DIR=
    fi
}

# Put the simulator back to its fixture's state: counters, module states, faults and request log.
reset_simulator() {
    "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" -c 'import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/_sim/reset", data=b"{}"), timeout=10).read()' "$WOLKVOX_SIM_URL"
}

# Run a playbook on both execution paths: the controller fast path (the default for tasks on the
# controller) and the module shipped as usual (wolkvox_fast_path=false), from the same fixture state.
# Every wolkvox task's result is recorded on each path (callback_plugins/wolkvox_parity.py) and the two records
# are compared whole, modulo the short allow-list documented in that callback.
playbook_on_both_paths() {
    local path here records
    here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
    records=$(mktemp -d)
    for path in true false; do
        reset_simulator
        echo "== $1 with wolkvox_fast_path=$path"
        WOLKVOX_PARITY_FILE="$records/$path.json" ANSIBLE_CALLBACK_PLUGINS="$here/callback_plugins" \
            ANSIBLE_CALLBACKS_ENABLED=wolkvox_parity ansible-playbook -i localhost, -c local -e wolkvox_fast_path=$path "$@"
    done
    "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" "$here/callback_plugins/wolkvox_parity.py" "$records/true.json" "$records/false.json"
    rm -rf "$records"
}
