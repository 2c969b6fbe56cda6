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
  validate_only:
    description: Check the list and return, contacting no broker.
    type: bool
    default: false
extends_documentation_fragment: kafkakit.kafka.admin_tools
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
from ansible_collections.kafkakit.kafka.plugins.module_utils.tools import (  # noqa: E402
    ADMIN_TOOL_ARGUMENTS,
    ToolError,
    tools_from_params,
)


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            **ADMIN_TOOL_ARGUMENTS,
            "acls": {"type": "list", "elements": "raw", "required": True},
            "validate_only": {"type": "bool", "default": False},
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
    tools = tools_from_params(params)
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
