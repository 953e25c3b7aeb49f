# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sphinx configuration of the wolkvox.wolkvox documentation site (`make docs`); it builds offline."""

project = "wolkvox.wolkvox"
copyright = "Contributors to the wolkvox.wolkvox collection"  # pylint: disable=redefined-builtin
title = "wolkvox.wolkvox documentation"
html_short_title = "wolkvox.wolkvox"

extensions = ["sphinx_antsibull_ext"]  # no intersphinx: nothing is fetched while building

pygments_style = "ansible"
highlight_language = "YAML+Jinja"
html_theme = "sphinx_ansible_theme"
html_show_sphinx = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
html_theme_options = {"display_version": False}

default_role = "any"
nitpicky = True
