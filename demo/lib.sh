# shellcheck shell=bash
# Sourced by the demos: demo_start builds and installs the collection into OUT/collections, starts the wolkvox
# simulator with FIXTURE, exports its URL as WOLKVOX_SERVER, and stops it when the demo exits, however it ends.

demo_start() {  # demo_start TOP OUT FIXTURE
    local top=$1 fixture=$3
    demo_out=$2
    demo_simulator="$top/simulator/wolkvox_simulator.py"
    echo "== Building and installing wolkvox.wolkvox into $demo_out/collections"
    ansible-galaxy collection build "$top" --output-path "$demo_out" > /dev/null
    ansible-galaxy collection install "$demo_out"/wolkvox-wolkvox-*.tar.gz -p "$demo_out/collections" > /dev/null
    WOLKVOX_SERVER=$(python3 "$demo_simulator" start --dir "$demo_out/simulator" --fixture "$fixture")
    trap 'python3 "$demo_simulator" stop --dir "$demo_out/simulator" > /dev/null' EXIT
    export WOLKVOX_SERVER
}
