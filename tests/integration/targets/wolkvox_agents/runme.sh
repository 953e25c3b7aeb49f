#!/usr/bin/env bash
set -eu
source ../setup_simulator/simulator.sh
start_simulator "$(pwd)/fixture.json"
playbook_on_both_paths playbook.yml "$@"

# neither the token nor a password, given or generated, in either path's output at -vvvv, with the task's
# invocation shown (ansible-core 2.21 shows it only when asked), whose nested password must be masked
export ANSIBLE_INJECT_INVOCATION=true
for path in true false; do
    reset_simulator
    passwords="$WOLKVOX_SIM_DIR/secrets-$path.yml"
    output=$(ansible-playbook -i localhost, -c local -e wolkvox_fast_path=$path -e "passwords_file=$passwords" \
        secrets.yml -vvvv 2>&1)
    generated=$("${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" -c 'import sys, yaml
print("\n".join(entry["password"] for entry in yaml.safe_load(open(sys.argv[1]))))' "$passwords")
    [ "$(wc -l <<< "$generated")" = 2 ] || { echo "expected two generated passwords (wolkvox_fast_path=$path)"; exit 1; }
    for secret in itest-agents-9b3e41d07c 'Given#Pass1-vvvv' 'Again#Pass2-vvvv' weakpass $generated; do
        if grep -qF -- "$secret" <<< "$output"; then echo "a secret shows at -vvvv (wolkvox_fast_path=$path)"; exit 1; fi
    done
    grep -q 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' <<< "$output" || { echo "no masked password at -vvvv (wolkvox_fast_path=$path)"; exit 1; }
    if grep -q "Callback dispatch" <<< "$output"; then echo "a callback failed (wolkvox_fast_path=$path)"; exit 1; fi
done
