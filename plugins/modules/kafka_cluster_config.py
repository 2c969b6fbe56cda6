#!/usr/bin/python
"""Keep a Kafka cluster's cluster-wide dynamic broker defaults at the declared values."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_cluster_config
short_description: Set the cluster-wide dynamic broker defaults that differ from the declared ones.
description:
  - Describes the cluster-wide dynamic defaults with ConfigCommand and alters only the keys whose
    value differs, without a restart. Keys nobody declared are left alone.
options:
  properties:
    description:
      - The defaults to hold (key to value; lists are written comma-separated, booleans as Java spells them).
    type: dict
    required: true
extends_documentation_fragment: kafkakit.kafka.admin_tools
"""

EXAMPLES = r"""
- name: Keep seven days of logs unless a topic says otherwise.
  kafkakit.kafka.kafka_cluster_config:
    bootstrap_server: kafka-1:9092
    command_config: /etc/kafka/admin.properties
    properties:
      log.retention.ms: 604800000
"""

RETURN = r"""
changes:
  description: The C(key=value) pairs set (or, in check mode, that would be set), comma-separated.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible_collections.kafkakit.kafka.plugins.module_utils import properties, tool_output  # noqa: E402
from ansible_collections.kafkakit.kafka.plugins.module_utils.tools import (  # noqa: E402
    ADMIN_TOOL_ARGUMENTS,
    ToolError,
    tools_from_params,
)

DEFAULTS = ("--entity-type", "brokers", "--entity-default")


def main() -> None:
    module = AnsibleModule(
        argument_spec={**ADMIN_TOOL_ARGUMENTS, "properties": {"type": "dict", "required": True}},
        supports_check_mode=True,
    )
    params = module.params
    if not params["bootstrap_server"]:
        module.fail_json(msg="bootstrap_server is required")
    tools = tools_from_params(params)
    bootstrap = ("--bootstrap-server", params["bootstrap_server"])
    try:
        described = tool_output.config_description(
            tools.run("ConfigCommand", *bootstrap, "--describe", *DEFAULTS)
        )
        changes = properties.add_config_changes(next(iter(described.values()), {}), params["properties"])
    except (ToolError, OSError, properties.PropertiesError) as failure:
        module.fail_json(msg=f"Could not read the cluster-wide defaults (nothing changed): {failure}")
    if module.check_mode or not changes:
        module.exit_json(changed=bool(changes), changes=changes)
    try:
        tools.run("ConfigCommand", *bootstrap, "--alter", *DEFAULTS, "--add-config", changes)
    except (ToolError, OSError) as failure:
        module.fail_json(msg=f"Could not set {changes}: {failure}")
    module.exit_json(changed=True, changes=changes)


if __name__ == "__main__":
    main()
