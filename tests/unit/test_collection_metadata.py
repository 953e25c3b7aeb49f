# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's metadata and docs agree with its code."""

import ast
import os

import pytest
import yaml

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
MODULES_DIR = os.path.join(ROOT, "plugins", "modules")
MODULES = sorted(name[:-3] for name in os.listdir(MODULES_DIR) if name.endswith(".py") and not name.startswith("_"))


def module_docs(name):
    with open(os.path.join(MODULES_DIR, name + ".py"), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    docs = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Constant):
            docs[node.targets[0].id] = node.value.value
    return yaml.safe_load(docs["DOCUMENTATION"]), yaml.safe_load(docs["RETURN"])


def test_every_module_is_in_the_action_group():
    with open(os.path.join(ROOT, "meta", "runtime.yml"), encoding="utf-8") as handle:
        runtime = yaml.safe_load(handle)
    assert MODULES
    assert sorted(runtime["action_groups"]["wolkvox"]) == MODULES


@pytest.mark.parametrize("name", MODULES)
def test_every_module_documents_the_connection_options_the_action_group_and_api_calls(name):
    documentation, returns = module_docs(name)
    fragments = documentation["extends_documentation_fragment"]
    assert "wolkvox.wolkvox.connection" in fragments
    assert "wolkvox.wolkvox.attributes.actiongroup" in fragments
    assert returns["api_calls"]["returned"] == "always"
    assert returns["api_calls"]["type"] == "int"
