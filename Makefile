# The front door. `make help` lists the targets; variables are shown as NAME=default.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
# The lab's cluster: MODE is kafka_mode (kraft or zookeeper); ZOOKEEPERS is the ensemble's size
# in ZooKeeper mode. An empty KAFKA_VERSION deploys the kafka role's default for the mode
# (4.4.0 for kraft, the newest 3.9.x for zookeeper).
MODE ?= kraft
BROKERS ?= 3
CONTROLLERS ?= 0
ZOOKEEPERS ?= 3
KAFKA_VERSION ?=
# The lab's security: empty keeps what it had (a new lab: secure); plaintext; or a step of the move
# from plaintext to secure: open, switch, moved (docs/security.md).
SECURITY ?=
# A ZooKeeper-mode lab with CONTROLLERS staged: its phase of the migration to KRaft, empty keeps
# what it had (none, migrating, dual_write, kraft: docs/migration.md).
MIGRATION ?=
STACK ?= dev
# Which lab, and how far its published ports are shifted (labs can run side by side).
LAB ?= lab
LAB_PORT_OFFSET ?= 0
# zero-loss: the cluster's bootstrap servers, the operation to run under traffic, and the clients'
# security settings (Java tools, librdkafka): by default the admin's of the lab LAB, which make lab
# writes (SASL_SSL in the secure profile); empty for a plaintext cluster that is not a lab.
BOOTSTRAP ?= 127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094
CLIENT_CONFIG ?= $(wildcard lab/.state/$(LAB)/client.properties)
LIBRDKAFKA_CONFIG ?= $(wildcard lab/.state/$(LAB)/librdkafka.properties)
OP ?= $(BIN)/ansible-playbook -i $(INVENTORY) playbooks/rolling_restart.yml
INVENTORY ?= inventories/lab/hosts.yml
PULUMI ?= pulumi
PULUMI_FLAGS ?=
# Molecule scenarios run by `make molecule`, as role:scenario: each role on its own. ZooKeeper
# mode with co-located members (kafka:zookeeper) is what `make e2e` deploys on separate hosts and
# tests further, so `make test` leaves it out; name it here to run it.
MOLECULE_SCENARIOS ?= host_prep:default java:default kafka:default zookeeper:default
# Unit tests run on every core (pytest-xdist): they are independent and CPU-bound.
UNIT_WORKERS ?= auto

# Ansible's strategy for the playbooks make runs (make lab, make aws): linear, Ansible's own, or
# mitogen (PyPI mitogen, in requirements.txt), which took a third off a deploy re-run on the lab.
# When mitogen does not load with this ansible-core, make says so and runs linear.
STRATEGY ?= linear
ifeq ($(STRATEGY),mitogen)
MITOGEN_STRATEGIES := $(shell $(BIN)/python -c 'import os, ansible_mitogen.loaders as l; \
  print(os.path.join(os.path.dirname(l.__file__), "plugins", "strategy"))' 2>/dev/null)
ifneq ($(MITOGEN_STRATEGIES),)
export ANSIBLE_STRATEGY_PLUGINS := $(MITOGEN_STRATEGIES)
export ANSIBLE_STRATEGY := mitogen_linear
else
$(warning STRATEGY=mitogen: mitogen does not load with this Ansible; running the linear strategy)
endif
endif

export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
# Molecule runs from inside a role and sets a collections path of its own: keep this checkout (the
# collection kafkakit.kafka, linked from collections/) first on it.
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/collections
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help prereqs images lab lab-down validate docs collection zero-loss bench test lint unit molecule e2e e2e-slow e2e-lifecycle e2e-day2 inventory aws clean

help: ## Show this help.
	@awk 'BEGIN {FS = ":.*## "} /^[a-z0-9-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo "  Variables: BROKERS=$(BROKERS) CONTROLLERS=$(CONTROLLERS) KAFKA_VERSION=$(KAFKA_VERSION) STACK=$(STACK)"

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

prereqs: ## Install the Debian packages the lab needs and start the Docker engine.
	bash lab/prereqs.sh

images: prereqs ## Build the lab's base images (debootstrap, nothing pulled), once per recipe.
	lab/build-image.sh >/dev/null

lab: prereqs $(BIN)/.installed ## Bring up a Kafka cluster on local containers (MODE, BROKERS, CONTROLLERS, ZOOKEEPERS, KAFKA_VERSION, SECURITY, MIGRATION).
	$(BIN)/python lab/lab.py --name $(LAB) up --mode $(MODE) --brokers $(BROKERS) --controllers $(CONTROLLERS) \
	  --zookeepers $(ZOOKEEPERS) --kafka-version "$(KAFKA_VERSION)" --port-offset $(LAB_PORT_OFFSET) \
	  $(if $(SECURITY),--security $(SECURITY)) $(if $(MIGRATION),--migration $(MIGRATION))
	$(BIN)/ansible-playbook -i $$($(BIN)/python lab/lab.py --name $(LAB) inventory) \
	  $$($(BIN)/python lab/lab.py --name $(LAB) playbook)
	@$(BIN)/python lab/lab.py --name $(LAB) bootstrap

lab-down: $(BIN)/.installed ## Remove the lab: hosts, network and data disks.
	$(BIN)/python lab/lab.py --name $(LAB) down

validate: $(BIN)/.installed ## Check an inventory (INVENTORY) the way deploy does, contacting no host.
	$(BIN)/ansible-playbook -i $(INVENTORY) playbooks/validate.yml

docs: $(BIN)/.installed ## Regenerate docs/variables.md, docs/server-properties.md and the roles' variable tables.
	$(BIN)/python scripts/role_docs.py

collection: $(BIN)/.installed ## Build the collection kafkakit.kafka into dist/ (ansible-galaxy collection build).
	$(BIN)/ansible-galaxy collection build --force --output-path dist

zero-loss: $(BIN)/.installed ## Run OP (a command) under verifiable traffic; fail if an acked message is lost (BOOTSTRAP).
	$(BIN)/python scripts/zero_loss.py --bootstrap-servers $(BOOTSTRAP) $(if $(KAFKA_VERSION),--kafka-version $(KAFKA_VERSION)) \
	  $(if $(CLIENT_CONFIG),--client-config $(CLIENT_CONFIG)) $(if $(LIBRDKAFKA_CONFIG),--librdkafka-config $(LIBRDKAFKA_CONFIG)) \
	  -- $(OP)

bench: prereqs $(BIN)/.installed ## Benchmark tuned against stock settings on a lab of its own; results in results/bench/.
	$(BIN)/python bench/run.py

test: lint unit molecule e2e ## Everything CI runs: lint, unit tests, Molecule, end-to-end on the lab.

lint: $(BIN)/.installed ## ansible-lint (production profile), yamllint and ruff on the whole repo.
	$(BIN)/yamllint --strict .
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/ansible-lint --offline

unit: $(BIN)/.installed ## Fast tests: filters, validation, the Pulumi program with mocks.
	$(BIN)/pytest -m "not lab" -n $(UNIT_WORKERS) --durations=10 tests

molecule: prereqs $(BIN)/.installed images ## Molecule scenarios of each role (MOLECULE_SCENARIOS).
	set -e; images=($$(lab/build-image.sh)); \
	export KAFKAKIT_IMAGE=$${images[0]} KAFKAKIT_IMAGE_JRE=$${images[1]}; \
	disk=$$(mktemp /tmp/kafkakit-molecule-disk.XXXXXX); truncate --size 1G $$disk; \
	export KAFKAKIT_TEST_DISK=$$(losetup --find --show $$disk); \
	trap 'losetup --detach $$KAFKAKIT_TEST_DISK; rm -f $$disk' EXIT; \
	for pair in $(MOLECULE_SCENARIOS); do \
	  role=$${pair%%:*}; scenario=$${pair##*:}; \
	  echo "=== molecule test: $$role/$$scenario"; \
	  (cd roles/$$role && ../../$(BIN)/molecule test --scenario-name $$scenario); \
	done

e2e: prereqs $(BIN)/.installed ## End-to-end tests on fresh lab clusters, one per shape: clients, security, metrics, re-runs, day-2 operations.
	$(BIN)/pytest -m "lab and not slow" --durations=15 tests

e2e-slow: prereqs $(BIN)/.installed ## What make test leaves out for time: the ZooKeeper-mode cluster; config change, upgrade, scale-out, rolling restarts.
	$(BIN)/pytest -m "lab and slow" tests

# The broker drain needs a fourth broker of the new release: the upgrade and the scale-out come first.
BROKER_DRAIN := kraft and (upgrade or scale_out or drained)

e2e-lifecycle: prereqs $(BIN)/.installed ## Only the cluster's changes of membership and security under verifiable traffic: two controllers added to the live quorum, then removed; a controller's lost disk replaced; a plaintext cluster moved to the secure profile; a ZooKeeper-mode cluster migrated to KRaft, with its rollbacks; a broker drained and removed, after the upgrade and scale-out it needs.
	$(BIN)/pytest -m "lab and lifecycle" tests
	$(BIN)/pytest -m lab -k "$(BROKER_DRAIN)" tests

e2e-day2: prereqs $(BIN)/.installed ## Only the day-2 operations under verifiable traffic: restart, config change, kill -9, upgrade, scale-out.
	$(BIN)/pytest -m "lab and day2" tests

inventory: $(BIN)/.installed ## Write inventories/aws/hosts.yml from the Pulumi stack's outputs (STACK).
	$(BIN)/python infra/write_inventory.py --stack $(STACK) --pulumi $(PULUMI) --output inventories/aws/hosts.yml

aws: $(BIN)/.installed ## Provision STACK on AWS (pulumi up), write its inventory, deploy Kafka on it.
	$(PULUMI) up --stack $(STACK) $(PULUMI_FLAGS)
	$(MAKE) inventory STACK=$(STACK)
	$(BIN)/python infra/wait_for_ssm.py --inventory inventories/aws/hosts.yml --timeout 900
	$(BIN)/ansible-playbook -i inventories/aws/hosts.yml playbooks/deploy.yml

clean: lab-down ## Remove the lab and the virtualenv.
	rm -rf $(VENV)
