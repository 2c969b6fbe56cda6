#!/usr/bin/python
"""Keep a Kafka cluster's ACLs in line with a declared list (logic: module_utils/access.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_acls
short_description: Add the declared ACLs that are missing, remove those declared absent.
description:
  - Checks the whole list, lists the cluster's ACLs with AclCommand, and changes only what differs.
    ACLs nobody declared are left alone; an entry with C(state=absent) removes its bindings.
options:
  acls:
    description:
      - ACL entries (principal, resource_type, resource_name, pattern_type, operations,
        permission, host, state).
    type: list
    elements: raw
    required: true
  bootstrap_server:
    description: Brokers to ask (host:port,...).
    type: str
  command_config:
    description: Client configuration of the admin tools (security settings).
    type: path
    default: ""
  validate_only:
    description: Check the list and return, contacting no broker.
    type: bool
    default: false
  runner:
    description: The command that runs a Kafka class with the node's installation.
    type: path
    default: /usr/local/bin/kafka-run-class
  timeout:
    description: Seconds each admin tool may run.
    type: int
    default: 120
"""

EXAMPLES = r"""
- name: Let the orders service write its topic.
  kafkakit.kafka.kafka_acls:
    bootstrap_server: kafka-1:9092
    command_config: /etc/kafka/admin.properties
    acls:
      - principal: User:orders
        resource_type: topic
        resource_name: orders
        operations: [write, describe]
"""

RETURN = r"""
actions:
  description: What was done (or, in check mode, would be done), in order.
  returned: always
  type: list
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible_collections.kafkakit.kafka.plugins.module_utils import access  # noqa: E402
from ansible_collections.kafkakit.kafka.plugins.module_utils.tools import ToolError, Tools  # noqa: E402


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "acls": {"type": "list", "elements": "raw", "required": True},
            "bootstrap_server": {"type": "str"},
            "command_config": {"type": "path", "default": ""},
            "validate_only": {"type": "bool", "default": False},
            "runner": {"type": "path", "default": "/usr/local/bin/kafka-run-class"},
            "timeout": {"type": "int", "default": 120},
        },
        required_if=[("validate_only", False, ["bootstrap_server"])],
        supports_check_mode=True,
    )
    params = module.params
    acls, errors = access.check_acls(params["acls"])
    if errors:
        module.fail_json(msg="Refusing to change any ACL:\n- " + "\n- ".join(errors))
    if params["validate_only"]:
        module.exit_json(changed=False, actions=[])
    tools = Tools(params["runner"], params["command_config"], params["timeout"])
    bootstrap = params["bootstrap_server"]
    try:
        existing = access.acl_listing(tools.run("AclCommand", "--bootstrap-server", bootstrap, "--list"))
    except (ToolError, OSError, ValueError) as failure:
        module.fail_json(msg=f"Could not list the cluster's ACLs (nothing changed): {failure}")
    actions = access.plan_acls(acls, existing)
    summary = [access.describe_action(action) for action in actions]
    if module.check_mode or not actions:
        module.exit_json(changed=bool(actions), actions=summary)
    done = []
    for action in actions:
        try:
            tools.execute(access.acl_command(action, tools.argv, bootstrap))
        except (ToolError, OSError) as failure:
            module.fail_json(
                msg=f"{access.describe_action(action)}: {failure}", changed=bool(done), actions=done
            )
        done.append(access.describe_action(action))
    module.exit_json(changed=True, actions=done)


if __name__ == "__main__":
    main()
