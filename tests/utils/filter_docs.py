# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A filter's documentation (the .yml file of its name beside its plugin) against its Python signature: what a user
reads in ansible-doc is what the filter takes."""

import inspect
import os

import yaml

FILTER_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "plugins", "filter")


def documentation(name):
    with open(os.path.join(FILTER_DIR, name + ".yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def problems(name, function):
    """What differs between the filter ``name`` (``function``) and its documentation; [] when nothing does."""
    found = []
    doc = documentation(name)
    documented = doc["DOCUMENTATION"]
    if documented.get("name") != name:
        found.append("the documentation names %r" % documented.get("name"))
    for part in ("EXAMPLES", "RETURN"):
        if not doc.get(part):
            found.append("no %s" % part)
    parameters = list(inspect.signature(function).parameters.values())
    options = documented.get("options") or {}
    names = ["_input"] + [parameter.name for parameter in parameters[1:]]
    if sorted(options) != sorted(names):
        found.append("options %s, parameters %s" % (sorted(options), sorted(names)))
    if not options.get("_input", {}).get("required"):
        found.append("_input is not required")
    for parameter in parameters[1:]:
        option = options.get(parameter.name)
        if option is None:
            continue
        if parameter.default is inspect.Parameter.empty:
            if not option.get("required"):
                found.append("%s has no default, yet is not required" % parameter.name)
        elif option.get("required"):
            found.append("%s has a default (%r), yet is required" % (parameter.name, parameter.default))
        elif "default" in option and option["default"] != parameter.default and parameter.default is not None:
            found.append("%s defaults to %r, documented %r" % (parameter.name, parameter.default, option["default"]))
    positional = [part.strip() for part in str(documented.get("positional", "_input")).split(",")]
    if positional != names[:len(positional)]:
        found.append("positional %s, parameters in order %s" % (positional, names))
    return found
