#!/usr/bin/python
"""Bring a Kafka cluster's topics in line with a declared list, with Kafka's own admin tools.

The whole list is checked first, then the cluster is described, then a plan is drawn; only when the
plan has no error does anything change. The logic lives in module_utils/topics.py (checks, plan,
commands) and module_utils/tool_output.py (what the tools print); this is the I/O around it. It
talks to brokers only (--bootstrap-server), so it works the same in KRaft and in ZooKeeper mode.
"""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_topics
short_description: Create, grow, configure and (only when asked) delete Kafka topics.
description:
  - Checks the whole topic list, describes the cluster, and changes only what differs.
  - Refuses, before changing anything, to lower a partition count, to change the replication
    factor of an existing topic, or to ask for more replicas than there are brokers.
  - Deletes a topic only when its entry says C(state=absent).
options:
  topics:
    description: Topic entries, each with name, partitions, replication_factor, config, state.
    type: list
    elements: raw
    required: true
  broker_count:
    description: Number of brokers in the cluster (the most replicas a partition can have).
    type: int
    required: true
  default_partitions:
    description: Partitions of a new topic whose entry gives none.
    type: int
    default: 3
  default_replication_factor:
    description: Replication factor of a new topic whose entry gives none.
    type: int
    default: 3
  extra_config_names:
    description: Topic config names to accept beyond the built-in list (newer Kafka, plugins).
    type: list
    elements: str
    default: []
  exclusive_config:
    description: Remove dynamic configs of a managed topic that its entry does not list.
    type: bool
    default: true
  validate_only:
    description: Check the list and return, contacting no broker.
    type: bool
    default: false
  cluster_min_isr:
    description: The cluster's min.insync.replicas, which topics without their own must exceed.
    type: int
extends_documentation_fragment: kafkakit.kafka.admin_tools
"""

EXAMPLES = r"""
- name: Create the orders topic.
  kafkakit.kafka.kafka_topics:
    bootstrap_server: kafka-1:9092
    broker_count: 3
    topics:
      - name: orders
        partitions: 6
"""

RETURN = r"""
actions:
  description: What was done (or, in check mode, would be done), in order.
  returned: always
  type: list
summary:
  description: One line per topic that changed, and a count of those already in line.
  returned: always
  type: list
"""

from concurrent.futures import ThreadPoolExecutor  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible_collections.kafkakit.kafka.plugins.module_utils import topics  # noqa: E402
from ansible_collections.kafkakit.kafka.plugins.module_utils.tools import (  # noqa: E402
    ADMIN_TOOL_ARGUMENTS,
    ToolError,
    Tools,
    tools_from_params,
)


def describe_cluster(tools: Tools, bootstrap: str) -> dict[str, dict]:
    """The topics that exist, with their dynamic configs: both tools at once (each a JVM start)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        described = pool.submit(tools.run, "TopicCommand", "--bootstrap-server", bootstrap, "--describe",
                                "--exclude-internal")  # fmt: skip
        configs = pool.submit(tools.run, "ConfigCommand", "--bootstrap-server", bootstrap, "--describe",
                              "--entity-type", "topics")  # fmt: skip
        return topics.cluster_state(described.result(), configs.result())


def carry_out(actions: list[dict], tools: Tools, bootstrap: str) -> tuple[list[dict], list[str]]:
    """Run the actions two at a time (each is a JVM start; they touch different things), in the
    plan's order of phases. Returns the actions done and a line per failure."""

    def one(action: dict) -> str | None:
        try:
            for argv in topics.commands(action, tools.argv, bootstrap):
                tools.execute(argv)
        except (ToolError, OSError) as failure:
            return f"{topics.describe_action(action)}: {failure}"
        return None

    done, failures = [], []
    for phase in ("delete", "create", "add_partitions", "alter_config"):
        batch = [action for action in actions if action["action"] == phase]
        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = list(pool.map(one, batch))
        done += [action for action, failure in zip(batch, outcomes, strict=True) if failure is None]
        failures += [failure for failure in outcomes if failure is not None]
        if failures:
            break
    return done, failures


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            **ADMIN_TOOL_ARGUMENTS,
            "topics": {"type": "list", "elements": "raw", "required": True},
            "broker_count": {"type": "int", "required": True},
            "default_partitions": {"type": "int", "default": 3},
            "default_replication_factor": {"type": "int", "default": 3},
            "extra_config_names": {"type": "list", "elements": "str", "default": []},
            "exclusive_config": {"type": "bool", "default": True},
            "validate_only": {"type": "bool", "default": False},
            "cluster_min_isr": {"type": "int"},
        },
        required_if=[("validate_only", False, ["bootstrap_server"])],
        supports_check_mode=True,
    )
    params = module.params
    declared, errors = topics.check_topics(
        params["topics"],
        params["broker_count"],
        params["default_partitions"],
        params["default_replication_factor"],
        extra_config_names=params["extra_config_names"],
        cluster_min_isr=params["cluster_min_isr"],
    )
    if errors:
        module.fail_json(msg="Refusing to change any topic:\n- " + "\n- ".join(errors), errors=errors)
    if params["validate_only"]:
        module.exit_json(changed=False, actions=[], summary=[f"{len(declared)} topic entries checked"])

    tools = tools_from_params(params)
    try:
        current = describe_cluster(tools, params["bootstrap_server"])
    except (ToolError, OSError, ValueError) as failure:
        module.fail_json(msg=f"Could not describe the cluster's topics (nothing changed): {failure}")
    actions, errors = topics.plan(declared, current, params["exclusive_config"])
    if errors:
        module.fail_json(msg="Refusing to change any topic:\n- " + "\n- ".join(errors), errors=errors)

    result = {
        "changed": bool(actions),
        "actions": actions,
        "summary": topics.summary(actions, declared),
        "diff": {
            "before": {a["topic"]: current.get(a["topic"], {}) for a in actions},
            "after": {a["topic"]: {k: v for k, v in a.items() if k != "topic"} for a in actions},
        },
    }
    if module.check_mode:
        module.exit_json(**result)
    done, failures = carry_out(actions, tools, params["bootstrap_server"])
    if failures:
        module.fail_json(
            msg="Could not finish the topic changes:\n- " + "\n- ".join(failures),
            changed=bool(done),
            actions=done,
            summary=[topics.describe_action(action) for action in done],
        )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
