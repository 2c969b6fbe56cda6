"""Day-2 operations on a live cluster lose no acknowledged message.

Every operation runs under scripts/zero_loss.py: Kafka's VerifiableProducer (acks=all, idempotent)
and VerifiableConsumer work against an RF=3, min.insync.replicas=2 topic while it runs; afterwards
every acknowledged message must have been consumed, writes must have gone on being acknowledged
during the operation, and the cluster must be healthy. The tests run in file order, after every
other test of their shape (conftest.py). All of them go through the kit's one restart path
(playbooks/roll.yml): the rolling restart on the ZooKeeper-mode cluster and on the cluster with
dedicated controllers (every node, forced); on the combined-node KRaft cluster, which starts on
Kafka 4.3.1, a configuration change through deploy.yml (the changed nodes), kill -9, the gate that
refuses, the upgrade to 4.4.0 (every node onto the new version) and a scale-out from 3 to 4
brokers. Each report is written to results/day2/.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml
from conftest import BIN, KRAFT_FROM_VERSION, KRAFT_TO_VERSION, ROOT, under_traffic

pytestmark = [pytest.mark.lab, pytest.mark.day2]
# The combined-node KRaft cluster carries the operations that change it (upgrade, scale-out).
kraft_only = pytest.mark.parametrize("lab_cluster", ["kraft"], indirect=True)


def playbook(cluster, name: str, *extra: str) -> list[str]:
    return [
        str(BIN / "ansible-playbook"),
        "-i",
        str(cluster.inventory),
        str(ROOT / "playbooks" / name),
        *extra,
    ]


def gate_command(cluster, host: str, check: str, **params) -> str:
    """A shell command that runs the kit's gate module on `host` (for scripts under traffic)."""
    arguments = json.dumps({"check": check, "command_config": cluster.admin_config, **params})
    return (
        f"ANSIBLE_CONFIG={ROOT / 'ansible.cfg'} {BIN / 'ansible'} {host} -i {cluster.inventory} --become "
        f"-m kafkakit.kafka.kafka_gate -a '{arguments}'"
    )


def admin_tool(cluster, main_class: str, *args: str) -> str:
    """A Kafka admin tool run on the first broker against the internal listeners."""
    return cluster.kafka_tool(
        cluster.brokers[0], main_class, "--bootstrap-server", cluster.internal_bootstrap(),
        "--command-config", cluster.admin_config, *args,
    )  # fmt: skip


def finalized_metadata_version(cluster) -> str:
    features = admin_tool(cluster, "org.apache.kafka.tools.FeatureCommand", "describe")
    line = next(line for line in features.splitlines() if "metadata.version" in line)
    return re.search(r"FinalizedVersionLevel:\s*(\S+)", line).group(1)


@pytest.mark.slow
@pytest.mark.parametrize("lab_cluster", ["zookeeper", "dedicated"], indirect=True)
def test_a_rolling_restart_restarts_every_node_once_and_loses_nothing(lab_cluster):
    before = lab_cluster.kafka_pids()
    report = under_traffic(
        lab_cluster, f"rolling restart ({lab_cluster.shape})", *playbook(lab_cluster, "rolling_restart.yml")
    )
    assert report["consumed"] == report["acked"]
    after = lab_cluster.kafka_pids()
    assert all(after[host] != before[host] for host in before), (before, after)
    lab_cluster.assert_partitions_healthy()


@kraft_only
@pytest.mark.slow
def test_a_config_change_restarts_the_changed_nodes_one_at_a_time_and_loses_nothing(lab_cluster):
    before = lab_cluster.kafka_pids()
    change = json.dumps({"kafka_server_properties": {"log.cleaner.threads": 2}})
    under_traffic(
        lab_cluster, "config change (deploy.yml)", *playbook(lab_cluster, "deploy.yml", "-e", change)
    )
    after = lab_cluster.kafka_pids()
    assert all(after[host] != before[host] for host in before), (before, after)
    for host in lab_cluster.brokers:
        assert "log.cleaner.threads=2" in lab_cluster.exec(host, "cat", "/etc/kafka/server.properties")
    lab_cluster.assert_partitions_healthy()
    lab_cluster.run_playbook("deploy.yml", "-e", change).assert_changed_nothing(lab_cluster.host_names)
    assert lab_cluster.kafka_pids() == after


@kraft_only
def test_kill_9_of_a_broker_loses_nothing(lab_cluster):
    victim = lab_cluster.brokers[1]
    victim_id = next(h["node_id"] for h in lab_cluster.hosts if h["name"] == victim)
    script = " && ".join(
        [
            f"docker exec {lab_cluster.container(victim)} pkill -9 -f kafka.Kafka",
            "sleep 15",
            gate_command(lab_cluster, victim, "brokers", bootstrap_server=lab_cluster.internal_bootstrap(),
                         brokers=len(lab_cluster.brokers), node=victim_id, timeout=240),
            gate_command(lab_cluster, victim, "partitions", bootstrap_server=lab_cluster.internal_bootstrap(),
                         default_min_isr=2, timeout=240),
        ]
    )  # fmt: skip
    under_traffic(lab_cluster, "kill -9 of one broker", "sh", "-c", script)
    lab_cluster.assert_partitions_healthy()


@kraft_only
def test_the_restart_gate_refuses_when_another_broker_is_down(lab_cluster):
    down, asked = lab_cluster.brokers[2], lab_cluster.brokers[1]
    asked_id = next(h["node_id"] for h in lab_cluster.hosts if h["name"] == asked)
    lab_cluster.exec(down, "systemctl", "stop", "kafka")
    try:
        pid_before = lab_cluster.kafka_pids()[asked]
        rc, message = lab_cluster.gate(
            asked, "safe_to_stop", bootstrap_server=lab_cluster.internal_bootstrap(), node=asked_id,
            default_min_isr=2, timeout=5,
        )  # fmt: skip
        assert rc != 0
        assert "would take partitions below min ISR" in message, message
        # Through the playbook, on that one host: a gate holds before the stop, and says which.
        refused = lab_cluster.run_playbook(
            "rolling_restart.yml", "--limit", asked, "-e", "kafka_ops_gate_timeout_seconds=10"
        )
        output = " ".join(refused.output.split())
        assert refused.returncode != 0
        assert "Gate before the stop" in output
        assert any(
            reason in output for reason in ("would take partitions below min ISR", "voters not caught up")
        ), refused.output[-3000:]
        assert lab_cluster.kafka_pids()[asked] == pid_before, "the gate let the broker stop"
    finally:
        lab_cluster.exec(down, "systemctl", "start", "kafka")
    lab_cluster.assert_partitions_healthy(timeout=240)


@kraft_only
@pytest.mark.slow
def test_a_minor_upgrade_is_rolled_without_loss_and_finalized_separately(lab_cluster):
    inventory = yaml.safe_load(lab_cluster.inventory.read_text())
    inventory["all"]["vars"]["kafka_version"] = KRAFT_TO_VERSION
    lab_cluster.inventory.write_text(yaml.safe_dump(inventory, sort_keys=True))

    under_traffic(
        lab_cluster,
        f"upgrade {KRAFT_FROM_VERSION} to {KRAFT_TO_VERSION}",
        *playbook(lab_cluster, "upgrade.yml"),
    )
    for host in lab_cluster.kafka_hosts:
        command_line = lab_cluster.exec(host, "systemctl", "show", "--property", "ExecStart", "kafka")
        assert f"kafka_2.13-{KRAFT_TO_VERSION}/libs" in command_line
    assert finalized_metadata_version(lab_cluster).startswith("4.3-"), (
        "the upgrade must not finalize by itself"
    )
    # An upgrade run again, and a deploy, find nothing to do on the upgraded cluster.
    pids = lab_cluster.kafka_pids()
    lab_cluster.run_playbook("upgrade.yml").assert_changed_nothing(lab_cluster.kafka_hosts)
    lab_cluster.run_playbook("deploy.yml").assert_changed_nothing(lab_cluster.host_names)
    assert lab_cluster.kafka_pids() == pids

    lab_cluster.refresh()
    assert lab_cluster.kafka_version == KRAFT_TO_VERSION
    finalize = lab_cluster.run_playbook("finalize_upgrade.yml")
    assert finalize.returncode == 0, finalize.output[-3000:]
    assert finalized_metadata_version(lab_cluster).startswith("4.4-")
    lab_cluster.assert_partitions_healthy()


@kraft_only
@pytest.mark.slow
def test_scale_out_from_3_to_4_brokers_with_a_rebalance_loses_nothing(lab_cluster):
    grow = (
        f"{BIN / 'python'} {ROOT / 'lab' / 'lab.py'} --name {lab_cluster.name} up --brokers 4 "
        f"--controllers 0 --kafka-version {KRAFT_TO_VERSION} --port-offset {lab_cluster.port_offset} && "
        + " ".join(playbook(lab_cluster, "deploy.yml"))
        + " && "
        + " ".join(playbook(lab_cluster, "rebalance.yml"))
    )
    under_traffic(lab_cluster, "scale-out 3 to 4 brokers with rebalance", "sh", "-c", grow)
    lab_cluster.refresh()
    assert len(lab_cluster.brokers) == 4
    describe = admin_tool(lab_cluster, "org.apache.kafka.tools.TopicCommand", "--describe")
    on_new_broker = [line for line in describe.splitlines() if re.search(r"Replicas: [\d,]*\b4\b", line)]
    assert on_new_broker, "the rebalance left the new broker empty"
    lab_cluster.run_playbook("rebalance.yml").assert_changed_nothing(lab_cluster.kafka_hosts)
    lab_cluster.run_playbook("deploy.yml").assert_changed_nothing(lab_cluster.host_names)
    lab_cluster.assert_partitions_healthy()


@kraft_only
@pytest.mark.slow
def test_a_drained_broker_is_removed_without_loss(lab_cluster):
    """After the scale-out: kafka-4's replicas move to the others, then it stops and is unregistered."""
    removed = lab_cluster.brokers[-1]
    assert removed not in lab_cluster.controllers and len(lab_cluster.brokers) == 4
    node_id = removed.rsplit("-", 1)[1]
    remove = playbook(lab_cluster, "remove_node.yml", "-e", f"kafka_rebalance_remove_node={removed}")
    under_traffic(lab_cluster, f"drain and remove {removed}", *remove)
    describe = admin_tool(lab_cluster, "org.apache.kafka.tools.TopicCommand", "--describe")
    left = [line for line in describe.splitlines() if re.search(rf"Replicas: [\d,]*\b{node_id}\b", line)]
    assert left == []
    assert lab_cluster.exec(removed, "systemctl", "is-active", "kafka", check=False).strip() == "inactive"
    # Unregistering it again is refused: it is unregistered already (the tool says so on stderr).
    again = lab_cluster.exec(
        lab_cluster.brokers[0], "sh", "-c",
        "kafka-run-class org.apache.kafka.tools.ClusterTool unregister --bootstrap-server "
        f"{lab_cluster.internal_bootstrap()} --config {lab_cluster.admin_config} --id {node_id} 2>&1",
        check=False,
    )  # fmt: skip
    assert "BrokerIdNotRegistered" in again or "not currently registered" in again, again[-1000:]
    lab_cluster.assert_partitions_healthy()


def served_serials(cluster, host: str, ports: list[int]) -> dict[int, str]:
    """The serial (hex) of the certificate each TLS port of `host` serves, read on the node."""
    script = (
        "import socket, ssl, sys\n"
        "from cryptography import x509\n"
        "ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE\n"
        "ctx.load_cert_chain('/etc/kafka-kit/tls/node.pem')\n"
        "for port in sys.argv[1:]:\n"
        "    with socket.create_connection(('127.0.0.1', int(port)), 10) as raw:\n"
        "        with ctx.wrap_socket(raw) as tls:\n"
        "            served = x509.load_der_x509_certificate(tls.getpeercert(True))\n"
        "            print(port, format(served.serial_number, 'x'))\n"
    )
    output = cluster.exec(host, "python3", "-c", script, *map(str, ports))
    return {int(port): serial for port, serial in (line.split() for line in output.splitlines())}


@pytest.mark.parametrize("lab_cluster", ["dedicated"], indirect=True)
def test_certificate_rotation_reloads_brokers_without_a_restart_and_rolls_controllers(lab_cluster):
    """rotate_certificates.yml under traffic: every node gets a new certificate (same names); the
    brokers' listeners serve it without a restart, the controllers serve it after the gated roll."""
    # Each broker's internal listener and the one published to this machine; each controller's.
    ports = {
        h["name"]: [9092, h["client_port"]] for h in lab_cluster.hosts if h["name"] in lab_cluster.brokers
    }
    ports |= {host: [9093] for host in lab_cluster.controllers}
    before = {host: served_serials(lab_cluster, host, host_ports) for host, host_ports in ports.items()}
    pids = {
        host: lab_cluster.exec(host, "systemctl", "show", "--property", "MainPID", "--value", "kafka").strip()
        for host in lab_cluster.brokers + lab_cluster.controllers
    }
    report = under_traffic(
        lab_cluster, "certificate rotation (dedicated)", *playbook(lab_cluster, "rotate_certificates.yml")
    )
    after = {host: served_serials(lab_cluster, host, host_ports) for host, host_ports in ports.items()}
    pids_after = {
        host: lab_cluster.exec(host, "systemctl", "show", "--property", "MainPID", "--value", "kafka").strip()
        for host in pids
    }
    for host, serials in after.items():
        assert len(set(serials.values())) == 1, f"{host} serves two certificates: {serials}"
        assert not set(serials.values()) & set(before[host].values()), (host, before[host], serials)
    assert all(pids_after[host] == pids[host] for host in lab_cluster.brokers), "a broker restarted"
    assert all(pids_after[host] != pids[host] for host in lab_cluster.controllers), (
        "a controller kept its old certificate"
    )
    report.update(serials_before=before, serials_after=after, pids_before=pids, pids_after=pids_after)
    (ROOT / "results" / "day2" / "certificate-rotation-dedicated.json").write_text(
        json.dumps(report, indent=2) + "\n"
    )
    lab_cluster.assert_partitions_healthy()
    lab_cluster.run_playbook("deploy.yml").assert_changed_nothing(lab_cluster.host_names)
