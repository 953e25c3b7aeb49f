# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""error_kind is declared once (_client.ERROR_KINDS): the code raises only those, and the troubleshooting guide and
the connection options' notes document each of them."""

import ast
import os
import re

import yaml

from ansible_collections.wolkvox.wolkvox.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import ERROR_KINDS

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
RAISERS = {"WolkvoxError": 1, "_fail": 1}  # the callable, and the position of the kind among its arguments


def kinds_in_code():
    """{kind: [files]} for every literal kind the plugins raise or return as error_kind."""
    found = {}
    for top, dummy, names in os.walk(os.path.join(ROOT, "plugins")):
        for name in names:
            if not name.endswith(".py"):
                continue
            path = os.path.join(top, name)
            with open(path, encoding="utf-8") as handle:
                tree = ast.parse(handle.read())
            for node in ast.walk(tree):
                kind = None
                if isinstance(node, ast.Call):
                    called = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                    if called in RAISERS and len(node.args) > RAISERS[called]:
                        kind = node.args[RAISERS[called]]
                    for keyword in node.keywords:
                        if keyword.arg in ("kind", "error_kind"):
                            kind = keyword.value
                if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                    found.setdefault(kind.value, []).append(os.path.relpath(path, ROOT))
    return found


def test_the_code_raises_only_declared_kinds():
    found = kinds_in_code()
    undeclared = dict((kind, files) for kind, files in found.items() if kind not in ERROR_KINDS)
    assert not undeclared, "declare these in _client.ERROR_KINDS and document them: %r" % undeclared
    assert "quota" in found and "refused" in found and "bad_option" in found  # the scan sees the code


def test_the_troubleshooting_guide_documents_every_kind():
    with open(os.path.join(ROOT, "docs", "docsite", "rst", "guide_troubleshooting.rst"), encoding="utf-8") as handle:
        text = handle.read()
    documented = set(re.findall(r"^     - ``([a-z_]+)``", text, re.MULTILINE))
    documented.update(re.findall(r"^     - ``[a-z_]+`` or ``([a-z_]+)``", text, re.MULTILINE))
    documented.discard("error_kind")  # the table's header
    assert documented == set(ERROR_KINDS)


def test_the_connection_options_notes_name_every_kind():
    notes = " ".join(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["notes"])
    named = set(re.findall(r"C\(([a-z_]+)\)", notes.split("C(error_kind)", 1)[1]))
    assert named == set(ERROR_KINDS)
