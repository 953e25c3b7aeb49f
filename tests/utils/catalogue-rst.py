# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render the endpoint catalogue page of the docs from the one table in plugins/module_utils/_catalogue.py.

    python tests/utils/catalogue-rst.py            # print the page
    python tests/utils/catalogue-rst.py --write    # write docs/docsite/rst/guide_endpoints.rst
    python tests/utils/catalogue-rst.py --check    # exit 1 when the committed page differs from the table

tests/unit/plugins/module_utils/test_catalogue.py fails when the committed page is not what this renders.
"""

import importlib.util
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CATALOGUE = os.path.join(ROOT, "plugins", "module_utils", "_catalogue.py")
PAGE = os.path.join(ROOT, "docs", "docsite", "rst", "guide_endpoints.rst")


def load_catalogue(path=CATALOGUE):
    """_catalogue.py loaded from its file: it imports nothing, so no collection path is needed."""
    spec = importlib.util.spec_from_file_location("wolkvox_catalogue", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


IDENTIFIER = re.compile(r"(?<![\w`])([a-z][a-z0-9]*(?:_[a-z0-9<>]+)+)(?![\w`])")


def prose(text):
    """Text from the table as reStructuredText: names with underscores (date_ini, quality_<n>) as literals."""
    return IDENTIFIER.sub(r"``\1``", text.replace("\\", "\\\\").replace("*", "\\*"))


def literal(name):
    return "``%s``" % name


def parameters(api):
    parts = []

    def listed(names):
        return ", ".join(literal(name.rstrip("?")) + (" (optional)" if name.endswith("?") else "") for name in names)

    if api["query"]:
        parts.append("query: " + listed(api["query"]))
    if api["dates"]:
        parts.append("dates: ``date_ini``, ``date_end``")
    if api["body"]:
        parts.append("body: " + listed(api["body"]))
    return "; ".join(parts) or "none"


def quota(entry, api):
    spends = entry["quota"] if api["quota"] is None else api["quota"]
    return "yes" if spends else "no"


def heading(text, mark):
    return [text, mark * len(text)]


def table(header, rows, widths):
    lines = [".. list-table::", "   :header-rows: 1", "   :widths: " + " ".join(str(width) for width in widths), ""]
    for row in [header] + rows:
        lines.append("   * - " + row[0])
        lines.extend(("     - " + cell).rstrip() for cell in row[1:])
    return lines + [""]


def render(catalogue):
    """The page, as text."""
    limit = "{0:,}".format(catalogue.MAX_RECORDS)
    lines = [
        ".. This page is generated from plugins/module_utils/_catalogue.py by tests/utils/catalogue-rst.py:",
        "   edit the table there, then run: python tests/utils/catalogue-rst.py --write",
        "",
        ".. _ansible_collections.wolkvox.wolkvox.docsite.guide_endpoints:",
        "",
    ]
    lines += heading("Endpoint catalogue", "=") + [""]
    lines += [
        ":ansplugin:`wolkvox.wolkvox.wolkvox_api#module` reaches every API file of the contact center,",
        "``https://wv<server>.wolkvox.com/api/v2/<file>.php?api=<api>``. Its ``file`` option takes the files below,",
        "from the same table as this page; ``api`` takes any API name (letters, digits and underscores), listed here",
        "or not. Where a file's list says *examples*, the vendor's Postman collection (about 300 requests) has more.",
        "",
        "A parameter marked *query* goes in the module's ``query`` option, *dates* in ``date_ini`` and ``date_end``,",
        "*body* in ``body``. *Quota* says whether a call spends a use of the operation's daily quota (licenses x",
        "1000 uses a day, shared by its tokens); every other limit holds for every file: 31 days per date range,",
        "%s records per answer, 60 seconds per call, two requests in flight per token." % limit,
        "",
    ]
    lines += heading("How the answers are read", "-") + [""]
    lines += [
        "- Success is an HTTP 2xx status with no error and a body ``code`` of 200, 201 or 202 (a number or text, each",
        "  endpoint its own), ``\"\"`` (``agents`` and ``campaigns``) or ``\"0\"`` (``activity_codes``); no exact number",
        "  is relied on. ``msg`` is returned without the spaces around it.",
        "- A bare JSON array (``real_time.php?api=campaigns``) is the data: ``code`` is null and ``msg`` empty.",
        "- A body ``code`` of 400 or more on HTTP 200 is the platform's refusal: the task fails with its message,",
        "  except the known \"nothing to do\" answers of ``add_ip`` and ``remove_ip``, which report no change.",
        "- HTTP 404 \"Validate dates entered\" is a date window with no rows: an empty list. A 404 that says the API",
        "  does not exist, or an HTML 404 page, fails with ``error_kind=unknown_api``: this server has no such API.",
        "- A report range longer than 31 days needs ``split_range: true``: one call per ``window`` (31 days at most),",
        "  records concatenated in order, each window in ``windows``. An answer of %s records is probably" % limit,
        "  truncated: a warning names the window and a shorter ``window`` to set.",
        "",
    ]
    lines += heading("The files", "-") + [""]
    rows = []
    for entry in catalogue.FILES:
        count = len(entry["apis"])
        if entry["complete"]:
            listed = "%d kinds, all" % count if entry["name"] == "reports_manager" else "%d, all" % count
        else:
            listed = "%d, examples" % count if count else "none catalogued"
        rows.append(["`%s`_" % entry["name"], prose(entry["title"]), listed, "yes" if entry["quota"] else "no"])
    lines += table(["File", "What", "APIs listed", "Quota"], rows, [20, 50, 15, 15])
    for entry in catalogue.FILES:
        lines += heading(entry["name"], "-") + [""]
        text = "``%s.php``: %s." % (entry["name"], prose(entry["title"]))
        if entry["note"]:
            text += " " + prose(entry["note"])
        if not entry["complete"] and entry["apis"]:
            text += " The list gives examples; any other API name of the file can be called."
        lines += [text, ""]
        if entry["apis"]:
            lines += table(["API", "Method", "Parameters", "Quota", "Notes"],
                           [[literal(api["name"]), api["method"], parameters(api), quota(entry, api),
                             prose(api["note"])] for api in entry["apis"]],
                           [20, 8, 34, 8, 30])
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


def main(argv):
    text = render(load_catalogue())
    if "--write" in argv:
        with open(PAGE, "w", encoding="utf-8") as handle:
            handle.write(text)
        return 0
    if "--check" in argv:
        with open(PAGE, encoding="utf-8") as handle:
            if handle.read() != text:
                sys.stderr.write("%s differs from the table in %s: run %s --write\n" % (PAGE, CATALOGUE, __file__))
                return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
