#!/usr/bin/python
"""Hand the controller of a cluster that goes back from a KRaft migration to its ZooKeeper-mode brokers."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_migration_revert
short_description: Let a ZooKeeper-mode broker be controller again once a migration's controllers are gone.
description:
  - The last step back from a ZooKeeper to KRaft migration that was not finalized (Kafka 3.9's
    "Reverting to ZooKeeper mode During the Migration"). Run it after the KRaft controllers were
    stopped and before the brokers are rolled without the migration.
  - Raises C(<chroot>/controller_epoch) to the highest KRaft epoch that C(<chroot>/controller) and
    C(<chroot>/migration) record, when it is lower. The KRaft controllers wrote each partition's
    state with their own epoch; a ZooKeeper controller elected with a lower one would leave those
    partitions offline (KAFKA-20488).
  - Deletes C(<chroot>/controller) when a KRaft controller holds it, or when the epoch had to be
    raised (a broker elected below it is elected again), and C(<chroot>/migration), so that a later
    migration starts over. The data of both is returned, as Kafka's docs advise to keep it.
  - C(changed) only when a znode was written or deleted. A second run, with a broker controller
    and no C(/migration), changes nothing.
options:
  zookeeper:
    description: The ZooKeeper ensemble (host:port,...), without the chroot.
    type: str
    required: true
  chroot:
    description: The cluster's chroot in ZooKeeper (C(/kafka)); empty for none.
    type: str
    default: ""
extends_documentation_fragment: kafkakit.kafka.admin_tools
"""

EXAMPLES = r"""
- name: Let a broker be elected controller again.
  kafkakit.kafka.kafka_migration_revert:
    zookeeper: zookeeper-1:2181,zookeeper-2:2181,zookeeper-3:2181
    chroot: /kafka
"""

RETURN = r"""
zookeeper_epoch:
  description: C(/controller_epoch) as it was read.
  type: int
  returned: success
kraft_epoch:
  description: The highest KRaft epoch that C(/controller) and C(/migration) recorded; -1 for none.
  type: int
  returned: success
raised_to:
  description: What C(/controller_epoch) was set to; null when it was high enough.
  type: int
  returned: success
deleted:
  description: The znodes deleted (in check mode, that would be).
  type: list
  elements: str
  returned: success
controller:
  description: The data of C(/controller) before, or null.
  type: dict
  returned: success
migration:
  description: The data of C(/migration) before, or null.
  type: dict
  returned: success
msg:
  description: What was done.
  type: str
  returned: always
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible_collections.kafkakit.kafka.plugins.module_utils import migration, tool_output  # noqa: E402
from ansible_collections.kafkakit.kafka.plugins.module_utils.tools import (  # noqa: E402
    ADMIN_TOOL_ARGUMENTS,
    ToolError,
    Tools,
    tools_from_params,
)


class ZooKeeper:
    """ZooKeeperMain on the cluster's chroot: a missing znode reads as None."""

    def __init__(self, tools: Tools, servers: str, chroot: str) -> None:
        self.tools, self.servers, self.chroot = tools, servers, chroot.rstrip("/")

    def path(self, name: str) -> str:
        return f"{self.chroot}/{name}"

    def run(self, command: str, name: str, *data: str) -> str | None:
        returncode, stdout, stderr = self.tools.zookeeper(self.servers, command, self.path(name), *data)
        if tool_output.zookeeper_missing(stderr) or tool_output.zookeeper_missing(stdout):
            return None
        if returncode != 0:
            reason = tool_output.failure_reason(stderr, stdout)
            raise ToolError(f"ZooKeeper client failed to {command} {self.path(name)}: {reason}")
        return stdout

    def json(self, name: str) -> dict | None:
        text = self.run("get", name)
        return None if text is None else tool_output.zookeeper_json(text)


def kraft_epoch_of(controller: dict | None, migration_state: dict | None) -> list[int | None]:
    return [
        (controller or {}).get("kraftControllerEpoch"),
        (migration_state or {}).get("kraft_controller_epoch"),
    ]


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            **ADMIN_TOOL_ARGUMENTS,
            "zookeeper": {"type": "str", "required": True},
            "chroot": {"type": "str", "default": ""},
        },
        supports_check_mode=True,
    )
    params = module.params
    zookeeper = ZooKeeper(tools_from_params(params), params["zookeeper"], params["chroot"])
    try:
        controller, migration_state = zookeeper.json("controller"), zookeeper.json("migration")
        epoch_text = zookeeper.run("get", "controller_epoch")
        zookeeper_epoch = tool_output.zookeeper_integer(epoch_text) if epoch_text is not None else 0
        kraft_epochs = kraft_epoch_of(controller, migration_state)
        kraft_epoch = max((epoch for epoch in kraft_epochs if epoch is not None), default=-1)
        raised_to = migration.revert_controller_epoch(zookeeper_epoch, *kraft_epochs)
        held_by_kraft = controller is not None and controller.get("kraftControllerEpoch", -1) >= 0
        doomed = [
            name
            for name, present in (
                ("controller", controller is not None and (held_by_kraft or raised_to is not None)),
                ("migration", migration_state is not None),
            )
            if present
        ]
        if not module.check_mode:
            if raised_to is not None:
                zookeeper.run("set", "controller_epoch", str(raised_to))
            for name in doomed:
                zookeeper.run("deleteall", name)
    except (ToolError, tool_output.ToolOutputError) as error:
        module.fail_json(msg=str(error))
    deleted = [zookeeper.path(name) for name in doomed]
    epoch_path = zookeeper.path("controller_epoch")
    done = [] if raised_to is None else [f"{epoch_path} raised from {zookeeper_epoch} to {raised_to}"]
    done += [f"{path} deleted" for path in deleted]
    module.exit_json(
        changed=bool(done),
        zookeeper_epoch=zookeeper_epoch,
        kraft_epoch=kraft_epoch,
        raised_to=raised_to,
        deleted=deleted,
        controller=controller,
        migration=migration_state,
        msg="; ".join(done) or "a ZooKeeper-mode broker is controller already and no migration is recorded",
    )


if __name__ == "__main__":
    main()
