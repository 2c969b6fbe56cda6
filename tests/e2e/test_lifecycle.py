"""The controller quorum's life on a live cluster (KIP-853), under verifiable traffic.

On the cluster with dedicated controllers (3 controllers, 3 brokers, Kafka 4.4.0): two hosts join
the group kafka_controller and deploy.yml adds them to the live quorum (5 voters); then
remove_node.yml takes them out again, one run each, their hosts are retired and deploy.yml leaves
every node naming the 3 voters left. Then a controller loses its disk (as a VM replaced with a new
volume would) and deploy.yml puts the new disk in the old one's place among the voters. No
acknowledged message may be lost on the way. It is heavy
(two extra JVMs, and every node rolled twice for its controller.quorum.bootstrap.servers), so it
runs in `make e2e-lifecycle` and `make e2e-slow`, not in make test.
"""

from __future__ import annotations

import pytest
from ansible_collections.kafkakit.kafka.plugins.module_utils import gates, tool_output
from conftest import BIN, ROOT, under_traffic

pytestmark = [pytest.mark.lab, pytest.mark.day2, pytest.mark.slow, pytest.mark.lifecycle]
ADDED = ("controller-4", "controller-5")


def voters(cluster) -> list[int]:
    """The node ids of the quorum's voters, as the kit's own gates read them."""
    return sorted(voter_disks(cluster))


def voter_disks(cluster) -> dict[int, str]:
    """Each voter's directory id: the disk the quorum counts as that voter."""
    text = cluster.kafka_tool(
        cluster.controllers[0], "org.apache.kafka.tools.MetadataQuorumCommand",
        "--command-config", "/etc/kafka/controller-admin.properties",
        "--bootstrap-controller", f"{cluster.controllers[0]}:9093", "describe", "--replication",
    )  # fmt: skip
    found = gates.voters(tool_output.quorum_replication(text))
    return {node: row["directory_id"] for node, row in found.items()}


def registered_controllers(cluster) -> list[int]:
    text = cluster.kafka_tool(
        cluster.controllers[0], "org.apache.kafka.tools.ClusterTool", "list-endpoints",
        "--command-config", "/etc/kafka/controller-admin.properties",
        "--bootstrap-controller", f"{cluster.controllers[0]}:9093",
    )  # fmt: skip
    return sorted(int(line.split()[0]) for line in text.splitlines() if line.rstrip().endswith("controller"))


def bootstrap_servers(cluster, host: str) -> str:
    """The controllers `host` is configured to find the quorum by."""
    return cluster.exec(host, "grep", "^controller.quorum.bootstrap.servers", "/etc/kafka/server.properties")


def ansible_playbook(cluster, name: str, *extra: str) -> str:
    playbook = ROOT / "playbooks" / name
    return " ".join([str(BIN / "ansible-playbook"), "-i", str(cluster.inventory), str(playbook), *extra])


def lab_up(cluster, controllers: int) -> str:
    return (
        f"{BIN / 'python'} {ROOT / 'lab' / 'lab.py'} --name {cluster.name} up "
        f"--brokers {len(cluster.brokers)} --controllers {controllers} --port-offset {cluster.port_offset}"
    )


@pytest.mark.parametrize("lab_cluster", ["dedicated"], indirect=True)
def test_two_controllers_join_the_live_quorum_and_leave_it_without_loss(lab_cluster):
    assert voters(lab_cluster) == [1001, 1002, 1003]
    grow = f"{lab_up(lab_cluster, 5)} && {ansible_playbook(lab_cluster, 'deploy.yml')}"
    under_traffic(lab_cluster, "add controllers 4 and 5 to the quorum", "sh", "-c", grow)
    lab_cluster.refresh()
    assert voters(lab_cluster) == [1001, 1002, 1003, 1004, 1005]
    for host in lab_cluster.kafka_hosts:
        rendered = bootstrap_servers(lab_cluster, host)
        assert "controller-5:9093" in rendered, f"{host}: {rendered}"
    # The new voters are formatted and joined: a re-run formats, adds and restarts nothing.
    lab_cluster.run_playbook("deploy.yml").assert_changed_nothing(lab_cluster.host_names)

    shrink = " && ".join(
        [ansible_playbook(lab_cluster, "remove_node.yml", "-e", f"kafka_rebalance_remove_node={host}")
         for host in reversed(ADDED)]
        + [f"{BIN / 'python'} {ROOT / 'lab' / 'lab.py'} --name {lab_cluster.name} retire {' '.join(ADDED)}",
           lab_up(lab_cluster, 3), ansible_playbook(lab_cluster, "deploy.yml")]
    )  # fmt: skip
    under_traffic(lab_cluster, "remove controllers 5 and 4 from the quorum", "sh", "-c", shrink)
    lab_cluster.refresh()
    assert voters(lab_cluster) == [1001, 1002, 1003]
    # Unregistered too (4.4-IV2), so no stale registration holds a metadata.version upgrade back.
    assert registered_controllers(lab_cluster) == [1001, 1002, 1003]
    for host in lab_cluster.kafka_hosts:
        rendered = bootstrap_servers(lab_cluster, host)
        assert "controller-4" not in rendered and "controller-5" not in rendered, f"{host}: {rendered}"
    lab_cluster.assert_partitions_healthy()


@pytest.mark.parametrize("lab_cluster", ["dedicated"], indirect=True)
def test_a_controller_whose_disk_was_lost_takes_its_place_again_without_loss(lab_cluster):
    host = lab_cluster.controllers[-1]
    node = 1000 + len(lab_cluster.controllers)
    before = voter_disks(lab_cluster)
    assert sorted(before) == [1001, 1002, 1003]
    # Stopped and its log dir gone, as a VM replaced with a fresh volume comes back.
    container = lab_cluster.container(host)
    lose_disk = f"docker exec {container} sh -c 'systemctl stop kafka && rm -rf /data/kafka'"
    replace = f"{lose_disk} && {ansible_playbook(lab_cluster, 'deploy.yml')}"
    report = under_traffic(lab_cluster, "a controller's lost disk replaced", "sh", "-c", replace)
    after = voter_disks(lab_cluster)
    assert sorted(after) == [1001, 1002, 1003], after
    assert after[node] != before[node], "the quorum still counts the lost disk as the voter"
    assert {n: d for n, d in after.items() if n != node} == {n: d for n, d in before.items() if n != node}
    assert report["lost"] == 0
    # Formatted and a voter again: a re-run on it formats, replaces and restarts nothing.
    lab_cluster.run_playbook("deploy.yml", "--limit", host).assert_changed_nothing([host])
    lab_cluster.assert_partitions_healthy()
