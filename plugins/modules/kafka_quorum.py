#!/usr/bin/python
"""Add a controller to a live KRaft quorum, or remove one from it (KIP-853, the dynamic quorum)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_quorum
short_description: Make a controller a voter of the live KRaft quorum, or no longer one.
description:
  - With I(state=present), waits until controller I(node_id), formatted without initial controllers
    and started, fetches the metadata log as an observer and has caught up with the leader, then adds
    it as a voter (C(kafka-metadata-quorum add-controller)) and waits until it is one.
  - With I(state=absent), removes the voter I(node_id) with the directory id the quorum knows it by
    (C(remove-controller)) and waits until it is no longer a voter. Stop the controller afterwards;
    with C(controller.quorum.auto.join.enable) on it would add itself again, so the kit leaves it off.
  - With I(state=unregistered), after the controller was removed and stopped, deletes its controller
    registration (C(kafka-cluster unregister-controller), Kafka 4.4 and metadata.version 4.4-IV2 or
    later), which would otherwise hold later metadata.version upgrades back. On an older metadata
    version it changes nothing and warns.
  - A controller whose disk was lost keeps its node id but gets a new directory id when formatted
    again; the quorum still counts its old one as the voter. With I(state=present) and
    I(join_config), the module finds that stale voter, waits until the other voters are caught up
    and the controller has caught up as an observer, removes the old voter (id and old directory id)
    and adds the controller with its new directory id.
  - The first two refuse a static quorum (kraft.version 0, formatted with C(controller.quorum.voters)),
    whose voters cannot change, saying how to move it to a dynamic one.
  - C(changed) only when a voter was added or removed; nothing to do when the quorum already is so.
options:
  node_id:
    description: The controller's node.id.
    type: int
    required: true
  state:
    description: Whether the controller is to be a voter.
    type: str
    choices: [present, absent, unregistered]
    default: present
  bootstrap_controller:
    description: Controller listeners of current voters (host:port, comma-separated).
    type: str
    required: true
  join_config:
    description:
      - I(state=present) only. The joining controller's own configuration, with the admin client
        settings of the controller listener. The tool reads the node id, the metadata log dir's
        directory id and the advertised controller endpoint from it (Kafka's docs), and connects with it.
        The module reads the directory id the same way, to tell a voter from a stale one.
    type: path
  max_lag:
    description: Records an observer may be behind the leader and count as caught up.
    type: int
    default: 1000
  max_staleness_ms:
    description: Milliseconds an observer's last catch-up may be behind the leader's.
    type: int
    default: 10000
  wait_timeout:
    description: Seconds to wait for the controller to catch up, and for the change to show.
    type: int
    default: 300
  interval:
    description: Seconds between two looks at the quorum.
    type: int
    default: 3
extends_documentation_fragment: kafkakit.kafka.admin_tools
"""

EXAMPLES = r"""
- name: Add controller 4 to the quorum.
  kafkakit.kafka.kafka_quorum:
    node_id: 4
    bootstrap_controller: controller-1:9093,controller-2:9093,controller-3:9093
    command_config: /etc/kafka/controller-admin.properties
    join_config: /etc/kafka/quorum-join.properties
"""

RETURN = r"""
voters:
  description: The quorum's voters' node ids afterwards (in check mode, as they would be).
  returned: success
  type: list
  elements: int
msg:
  description: What was done, or why nothing was.
  returned: always
  type: str
"""

import os  # noqa: E402
import re  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible_collections.kafkakit.kafka.plugins.module_utils import gates, properties, tool_output  # noqa: E402
from ansible_collections.kafkakit.kafka.plugins.module_utils.tools import (  # noqa: E402
    ADMIN_TOOL_ARGUMENTS,
    ToolError,
    Tools,
    tools_from_params,
)

STATIC_QUORUM = (
    "the quorum is static (kraft.version {level}): its voters are fixed by controller.quorum.voters. "
    "Kafka 4.1 and later move it to a dynamic one: `kafka-features --bootstrap-server <broker> upgrade "
    "--feature kraft.version=1`, then roll every node with controller.quorum.bootstrap.servers in place "
    "of controller.quorum.voters (the kit renders that), controllers first"
)


def replication(tools: Tools, bootstrap: str) -> list[dict]:
    return tool_output.quorum_replication(
        tools.run("MetadataQuorumCommand", "--bootstrap-controller", bootstrap, "describe", "--replication")
    )


def own_directory_id(join_config: str | None) -> str:
    """The directory id of the joining controller's metadata log dir, as Kafka's tool finds it:
    metadata.log.dir, else the first of log.dirs; empty when there is no such file to read."""
    if not join_config or not os.path.exists(join_config):
        return ""
    with open(join_config, encoding="utf-8") as handle:
        config = properties.parse(handle.read())
    metadata_dir = config.get("metadata.log.dir") or config.get("log.dirs", "").split(",")[0]
    meta = os.path.join(metadata_dir.strip(), "meta.properties")
    if not metadata_dir or not os.path.exists(meta):
        return ""
    with open(meta, encoding="utf-8") as handle:
        return properties.parse(handle.read()).get("directory.id", "")


def finalized(tools: Tools, bootstrap: str, feature: str) -> str:
    """The finalized level of `feature` (FeatureCommand describe); empty when the cluster has none."""
    found = tool_output.features(tools.run("FeatureCommand", "--bootstrap-controller", bootstrap, "describe"))
    return str(found.get(feature, {}).get("FinalizedVersionLevel", ""))


def kraft_version(tools: Tools, bootstrap: str) -> int:
    """The finalized kraft.version: 0 (or absent) is a static quorum, 1 a dynamic one."""
    level = finalized(tools, bootstrap, "kraft.version")
    return int(level) if level.isdigit() else 0


# Controller registrations can be deleted from this metadata version on (KIP-1312).
UNREGISTER_FROM_METADATA_VERSION = (4, 4, 2)


def metadata_version(level: str) -> tuple[int, int, int]:
    """`4.4-IV2` as (4, 4, 2); (0, 0, 0) for anything else."""
    match = re.fullmatch(r"(\d+)\.(\d+)-IV(\d+)", str(level).strip())
    return tuple(int(part) for part in match.groups()) if match else (0, 0, 0)


def unregister(module: AnsibleModule, tools: Tools, node: int, bootstrap: str, voters: dict) -> None:
    if node in voters:
        module.fail_json(msg=f"controller {node} is a voter: remove it from the quorum (state=absent) first")
    level = finalized(tools, bootstrap, "metadata.version")
    if metadata_version(level) < UNREGISTER_FROM_METADATA_VERSION:
        module.warn(
            f"controller {node} stays registered: metadata.version {level or '(unknown)'} cannot unregister "
            "a controller (4.4-IV2 can). Its stale registration may hold back finalize_upgrade.yml"
        )
        module.exit_json(changed=False, voters=sorted(voters), msg=f"controller {node} left registered")
    if module.check_mode:
        module.exit_json(changed=True, voters=sorted(voters), msg=f"would unregister controller {node}")
    try:
        # ClusterTool takes its options after the subcommand.
        tools.run(
            "ClusterTool", "unregister-controller", "--bootstrap-controller", bootstrap,
            "--command-config", tools.command_config, "--id", str(node), admin=False,
        )  # fmt: skip
    except ToolError as error:
        if "ControllerIdNotRegistered" not in str(error) and "not currently registered" not in str(error):
            raise
        module.exit_json(changed=False, voters=sorted(voters), msg=f"controller {node} is not registered")
    module.exit_json(changed=True, voters=sorted(voters), msg=f"unregistered controller {node}")


def wait_for(module: AnsibleModule, check, what: str) -> str:
    params = module.params
    passed, message, _ = gates.wait(check, params["wait_timeout"], params["interval"])
    if not passed:
        module.fail_json(msg=f"{what} after {params['wait_timeout']}s: {message}")
    return message


def caught_up(module: AnsibleModule, tools: Tools, node: int, bootstrap: str, own: str) -> str:
    params = module.params
    return wait_for(
        module,
        lambda: gates.observer_verdict(
            replication(tools, bootstrap), node, params["max_lag"], params["max_staleness_ms"], own
        ),
        f"controller {node} has not caught up with the quorum",
    )


def add(
    module: AnsibleModule, tools: Tools, node: int, bootstrap: str, voters: dict, *, own: str = ""
) -> None:
    params = module.params
    if not params["join_config"]:
        module.fail_json(msg="join_config is required to add a controller")
    verdict = caught_up(module, tools, node, bootstrap, own)
    if module.check_mode:
        module.exit_json(changed=True, voters=sorted({*voters, node}), msg=f"would add {node}: {verdict}")
    # The tool reads the joining controller's identity from its own configuration (Kafka's docs).
    joining = Tools(params["runner"], params["join_config"], params["timeout"])
    joining.run("MetadataQuorumCommand", "--bootstrap-controller", bootstrap, "add-controller")

    def added() -> list[int]:
        now = gates.voters(replication(tools, bootstrap))
        if node not in now or own not in ("", now[node]["directory_id"]):
            raise gates.NotHealthy(f"controller {node} is not a voter yet (voters {sorted(now)})")
        return sorted(now)

    now = wait_for(module, added, f"controller {node} was added but is not a voter")
    module.exit_json(changed=True, voters=now, msg=f"added controller {node} to the quorum, voters {now}")


def replace(
    module: AnsibleModule, tools: Tools, node: int, bootstrap: str, voters: dict, *, own: str
) -> None:
    """Voter `node` is a disk that is gone: the controller was formatted again (directory id `own`)
    and fetches as an observer. The quorum holds the old disk as the voter until it is removed, and
    Kafka adds no second voter with the same id, so: remove the old one, then add the new one. In
    between, the other voters alone make the majority, so each must be caught up first."""
    params = module.params
    stale = voters[node]["directory_id"]
    others = len(voters) - 1
    if others < 1:
        module.fail_json(msg=f"controller {node}, the quorum's only voter, lost its disk: the quorum is gone")

    def rest_caught_up() -> str:
        rows = [r for r in replication(tools, bootstrap) if (r["id"], r["directory_id"]) != (node, stale)]
        return gates.quorum_verdict(rows, others, params["max_lag"], params["max_staleness_ms"])

    wait_for(module, rest_caught_up, f"the voters other than {node} are not all caught up")
    verdict = caught_up(module, tools, node, bootstrap, own)
    if module.check_mode:
        message = f"would replace the lost disk {stale} of {node}: {verdict}"
        module.exit_json(changed=True, voters=sorted(voters), msg=message)
    tools.run(
        "MetadataQuorumCommand", "--bootstrap-controller", bootstrap, "remove-controller",
        "--controller-id", str(node), "--controller-directory-id", stale,
    )  # fmt: skip

    def removed() -> None:
        now = gates.voters(replication(tools, bootstrap))
        if node in now and now[node]["directory_id"] == stale:
            raise gates.NotHealthy(f"the lost disk {stale} of controller {node} is still a voter")

    wait_for(module, removed, f"the lost disk {stale} of controller {node} was removed but is still a voter")
    add(module, tools, node, bootstrap, {v: r for v, r in voters.items() if v != node}, own=own)


def remove(module: AnsibleModule, tools: Tools, node: int, bootstrap: str, voters: dict) -> None:
    if len(voters) < 2:
        module.fail_json(msg=f"controller {node} is the quorum's only voter: removing it ends the cluster")
    rest = sorted(v for v in voters if v != node)
    if module.check_mode:
        module.exit_json(changed=True, voters=rest, msg=f"would remove controller {node}")
    directory = voters[node]["directory_id"]
    tools.run(
        "MetadataQuorumCommand", "--bootstrap-controller", bootstrap, "remove-controller",
        "--controller-id", str(node), "--controller-directory-id", directory,
    )  # fmt: skip

    def removed() -> list[int]:
        now = gates.voters(replication(tools, bootstrap))
        if node in now:
            raise gates.NotHealthy(f"controller {node} is still a voter (voters {sorted(now)})")
        return sorted(now)

    now = wait_for(module, removed, f"controller {node} was removed but is still a voter")
    module.exit_json(changed=True, voters=now, msg=f"removed controller {node} from the quorum, voters {now}")


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            **ADMIN_TOOL_ARGUMENTS,
            "node_id": {"type": "int", "required": True},
            "state": {"type": "str", "choices": ["present", "absent", "unregistered"], "default": "present"},
            "bootstrap_controller": {"type": "str", "required": True},
            "join_config": {"type": "path"},
            "max_lag": {"type": "int", "default": 1000},
            "max_staleness_ms": {"type": "int", "default": 10000},
            "wait_timeout": {"type": "int", "default": 300},
            "interval": {"type": "int", "default": 3},
        },
        supports_check_mode=True,
    )
    params = module.params
    node, bootstrap = params["node_id"], params["bootstrap_controller"]
    tools = tools_from_params(params)
    try:
        voters = gates.voters(replication(tools, bootstrap))
        if params["state"] == "unregistered":
            unregister(module, tools, node, bootstrap, voters)
        wanted = params["state"] == "present"
        own = own_directory_id(params["join_config"]) if wanted else ""
        lost_disk = wanted and node in voters and own not in ("", voters[node]["directory_id"])
        if (node in voters) == wanted and not lost_disk:
            module.exit_json(
                changed=False,
                voters=sorted(voters),
                msg=f"controller {node} is {'already' if wanted else 'not'} a voter, voters {sorted(voters)}",
            )
        level = kraft_version(tools, bootstrap)
        if level < 1:
            module.fail_json(msg=STATIC_QUORUM.format(level=level))
        if not wanted:
            remove(module, tools, node, bootstrap, voters)
        elif lost_disk:
            replace(module, tools, node, bootstrap, voters, own=own)
        else:
            add(module, tools, node, bootstrap, voters, own=own)
    except (ToolError, tool_output.ToolOutputError) as error:
        module.fail_json(msg=str(error))


if __name__ == "__main__":
    main()
