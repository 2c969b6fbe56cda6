#!/usr/bin/python
"""Keep a Kafka cluster's SCRAM users in line with a declared list (logic: module_utils/access.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_scram_users
short_description: Create, re-password and (only when asked) disable SCRAM-SHA-512 users.
description:
  - Checks the whole list, reads the users the cluster has, and changes only what differs. Kafka
    keeps no password it can show, so the module records a fingerprint of each one it set (an HMAC
    keyed by the user's name) in I(fingerprints) on the node, and sets a password again only when
    its fingerprint changed.
  - Disables a user only when its entry says C(state=absent), by setting a random password that
    nobody keeps. It never deletes a credential, because Kafka 4.3 and 4.4 in KRaft mode forget every SCRAM
    credential on a node restarted after any was deleted.
options:
  users:
    description:
      - Users, each with name, iterations (default 8192) and state; a password here is taken too,
        but shows in the module's arguments, so give it in I(passwords).
    type: list
    elements: raw
    required: true
  passwords:
    description: Each user's password, by name (never logged).
    type: dict
    default: {}
  reserved:
    description: Users the kit manages itself (refused in the list).
    type: list
    elements: str
    default: []
  fingerprints:
    description: Where the fingerprints of the passwords set are kept (root's, 0600).
    type: path
    default: /etc/kafka/scram-users.json
  validate_only:
    description: Check the list and return, contacting no broker.
    type: bool
    default: false
extends_documentation_fragment: kafkakit.kafka.admin_tools
"""

EXAMPLES = r"""
- name: Create the orders service's user.
  kafkakit.kafka.kafka_scram_users:
    bootstrap_server: kafka-1:9092
    command_config: /etc/kafka/admin.properties
    users:
      - name: orders
    passwords:
      orders: "{{ vault_orders_password }}"
"""

RETURN = r"""
actions:
  description: What was done, in order (no passwords).
  returned: always
  type: list
"""

import json  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible_collections.kafkakit.kafka.plugins.module_utils import access  # noqa: E402
from ansible_collections.kafkakit.kafka.plugins.module_utils.tools import (  # noqa: E402
    ADMIN_TOOL_ARGUMENTS,
    ToolError,
    tools_from_params,
)


def read_fingerprints(path: str) -> dict[str, str]:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


def write_fingerprints(path: str, fingerprints: dict[str, str]) -> None:
    temporary = f"{path}.tmp"
    with open(
        os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8"
    ) as handle:
        json.dump(dict(sorted(fingerprints.items())), handle, indent=2)
    os.replace(temporary, path)


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            **ADMIN_TOOL_ARGUMENTS,
            # Names are not secret, and stay readable in the play log: the passwords come apart.
            "users": {"type": "list", "elements": "raw", "required": True},
            "passwords": {"type": "dict", "default": {}, "no_log": True},
            "reserved": {"type": "list", "elements": "str", "default": []},
            "fingerprints": {"type": "path", "default": "/etc/kafka/scram-users.json"},
            "validate_only": {"type": "bool", "default": False},
        },
        required_if=[("validate_only", False, ["bootstrap_server"])],
        supports_check_mode=True,
    )
    params = module.params
    users, errors = access.check_users(
        access.with_passwords(params["users"], params["passwords"]), tuple(params["reserved"])
    )
    if errors:
        module.fail_json(msg="Refusing to change any user:\n- " + "\n- ".join(errors))
    if params["validate_only"]:
        module.exit_json(changed=False, actions=[])
    tools = tools_from_params(params)
    bootstrap = params["bootstrap_server"]
    try:
        existing = access.scram_users(
            tools.run(
                "ConfigCommand", "--bootstrap-server", bootstrap, "--describe", "--entity-type", "users"
            )
        )
    except (ToolError, OSError, ValueError) as failure:
        module.fail_json(msg=f"Could not read the cluster's users (nothing changed): {failure}")
    fingerprints = read_fingerprints(params["fingerprints"])
    actions = access.plan_users(users, existing, fingerprints)
    summary = [access.describe_action(action) for action in actions]
    if module.check_mode or not actions:
        module.exit_json(changed=bool(actions), actions=summary)
    by_name = {user["name"]: user for user in users}
    done = []
    with tempfile.TemporaryDirectory(prefix="kafka-users-") as private:  # 0700, removed on exit
        credential_file = os.path.join(private, "credential.properties")
        for action in actions:
            user = by_name[action["user"]]
            if action["action"] == "disable":
                user = access.disabled_credential(user)
            with open(
                os.open(credential_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8"
            ) as handle:
                handle.write(access.user_credential(user))
            try:
                tools.execute(access.user_command(action, tools.argv, bootstrap, credential_file))
            except (ToolError, OSError) as failure:
                write_fingerprints(params["fingerprints"], fingerprints)
                module.fail_json(
                    msg=f"{access.describe_action(action)}: {failure}", changed=bool(done), actions=done
                )
            fingerprints[action["user"]] = action["fingerprint"]
            done.append(access.describe_action(action))
    write_fingerprints(params["fingerprints"], fingerprints)
    module.exit_json(changed=True, actions=done)


if __name__ == "__main__":
    main()
