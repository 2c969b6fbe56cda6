"""The migration of a ZooKeeper-mode cluster to KRaft in the model and the contract
(kafka_zookeeper_migration, docs/migration.md): what each node renders in each phase, and what
stops a migration before any host is touched."""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible_collections.kafkakit.kafka.plugins.module_utils import gates, tool_output
from contract_harness import evaluate, in_group, problems_of, with_group_var, with_host_var, zookeeper_mode


def staged(controllers: int = 3, **variables) -> dict:
    """A ZooKeeper-mode cluster with `controllers` dedicated controller hosts, and `variables`."""
    inventory = zookeeper_mode()
    for index in range(1, controllers + 1):
        inventory = in_group(inventory, "kafka_controller", f"controller-{index}", kafka_node_id=1000 + index)
    return with_group_var(inventory, **variables)


def model_of(inventory: dict) -> dict:
    cluster, problems = evaluate(inventory)
    assert problems == []
    return cluster


def props(cluster: dict, host: str) -> dict:
    return cluster["nodes"][host]["server_properties"]


def test_controllers_of_a_cluster_that_has_not_started_its_migration_are_staged_and_untouched():
    cluster = model_of(staged())
    assert cluster["staged_controllers"] == ["controller-1", "controller-2", "controller-3"]
    assert cluster["kafka_hosts"] == ["broker-1", "broker-2", "broker-3"]
    assert cluster["controllers"] == [] and not cluster["kraft_quorum"]
    assert "zookeeper.metadata.migration.enable" not in props(cluster, "broker-1")


def test_migrating_controllers_run_kraft_and_write_to_zookeeper_with_its_chroot():
    cluster = model_of(staged(kafka_zookeeper_migration="migrating"))
    assert cluster["controllers"] == ["controller-1", "controller-2", "controller-3"]
    assert cluster["kraft_quorum"] and cluster["broker_mode"] == "zookeeper"
    controller = props(cluster, "controller-1")
    assert controller["process.roles"] == ["controller"]
    assert controller["node.id"] == 1001
    assert controller["zookeeper.metadata.migration.enable"] is True
    assert controller["zookeeper.connect"] == cluster["zookeeper"]["connect"]
    assert controller["zookeeper.connect"].endswith("/kafka")
    assert controller["zookeeper.set.acl"] is True
    # It sends RPCs to the ZooKeeper-mode brokers on their listener, as the broker user.
    assert controller["inter.broker.listener.name"] == "INTERNAL"
    assert "INTERNAL:SASL_SSL" in controller["listener.security.protocol.map"]
    assert controller["listeners"] == "CONTROLLER://:9093"
    assert controller["sasl.mechanism.inter.broker.protocol"] == "SCRAM-SHA-512"
    assert controller["listener.name.internal.sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert cluster["nodes"]["controller-1"]["secret_properties"] == {
        "listener.name.internal.scram-sha-512.sasl.jaas.config": "broker"
    }
    assert controller["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert "broker.id" not in controller and "inter.broker.protocol.version" not in controller


def test_migrating_brokers_keep_zookeeper_and_their_id_and_learn_the_quorum():
    cluster = model_of(staged(kafka_zookeeper_migration="migrating"))
    broker = props(cluster, "broker-2")
    assert broker["broker.id"] == 2 and "node.id" not in broker and "process.roles" not in broker
    assert broker["zookeeper.metadata.migration.enable"] is True
    assert broker["zookeeper.connect"] == cluster["zookeeper"]["connect"]
    assert broker["inter.broker.protocol.version"] == "3.9"
    assert broker["controller.quorum.bootstrap.servers"] == cluster["controller_bootstrap"]
    assert broker["controller.listener.names"] == "CONTROLLER"
    assert "CONTROLLER:SSL" in broker["listener.security.protocol.map"]
    assert broker["authorizer.class.name"] == "kafka.security.authorizer.AclAuthorizer"
    assert "CONTROLLER://" not in broker["listeners"]


def test_in_dual_write_brokers_run_kraft_while_the_controllers_still_write_to_zookeeper():
    cluster = model_of(staged(kafka_zookeeper_migration="dual_write"))
    assert cluster["broker_mode"] == "kraft" and cluster["mode"] == "zookeeper"
    broker = props(cluster, "broker-1")
    assert broker["process.roles"] == ["broker"] and broker["node.id"] == 1
    for key in ("broker.id", "zookeeper.connect", "inter.broker.protocol.version",
                "zookeeper.metadata.migration.enable", "zookeeper.set.acl"):  # fmt: skip
        assert key not in broker, key
    assert broker["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert props(cluster, "controller-1")["zookeeper.metadata.migration.enable"] is True


def test_the_finalized_inventory_is_a_kraft_cluster_whose_controllers_forget_zookeeper():
    inventory = staged(kafka_mode="kraft", kafka_version="3.9.2")
    del inventory["all"]["children"]["zookeeper"]
    cluster = model_of(inventory)
    controller = props(cluster, "controller-2")
    assert not any(key.startswith("zookeeper.") for key in controller)
    assert "inter.broker.listener.name" not in controller
    assert props(cluster, "broker-3")["node.id"] == 3


@pytest.mark.parametrize(
    ("inventory", "expected"),
    [
        (
            staged(2, kafka_zookeeper_migration="migrating"),
            "kafka_zookeeper_migration is migrating, but the group kafka_controller "
            "(kafka_controller_group) has 2 hosts (controller-1, controller-2): the migration needs 1, 3 "
            "or 5 dedicated KRaft controllers",
        ),
        (
            in_group(staged(kafka_zookeeper_migration="migrating"), "kafka_controller", "broker-1"),
            "broker-1: in both kafka_broker and kafka_controller with kafka_zookeeper_migration migrating: "
            "Kafka migrates to dedicated controllers only",
        ),
        (
            staged(kafka_zookeeper_migration="migrating", kafka_inter_broker_protocol_version="3.8"),
            "broker-1, broker-2, broker-3: kafka_inter_broker_protocol_version '3.8' with "
            "kafka_zookeeper_migration migrating: the migration needs 3.9 on every broker",
        ),
        (
            staged(
                kafka_zookeeper_migration="migrating",
                kafka_version="3.8.1",
                kafka_inter_broker_protocol_version="3.8",
            ),
            "kafka_version 3.8.1 with kafka_zookeeper_migration migrating: the migration runs on Kafka 3.9.x",
        ),
        (
            with_host_var(
                staged(kafka_zookeeper_migration="migrating"), "controller-2", kafka_metrics_enabled=False
            ),
            "controller-2: kafka_metrics_enabled is false with kafka_zookeeper_migration migrating",
        ),
        (
            with_host_var(staged(kafka_zookeeper_migration="migrating"), "controller-1", kafka_node_id=2),
            "kafka_node_id 2 is used by more than one host",
        ),
        (
            with_host_var(
                staged(kafka_zookeeper_migration="migrating"),
                "controller-3",
                kafka_zookeeper_migration="none",
            ),
            "kafka_zookeeper_migration must be the same on every host of the cluster",
        ),
        (
            with_group_var(staged(), kafka_zookeeper_migration="halfway"),
            "kafka_zookeeper_migration",
        ),
    ],
    ids=[
        "even-quorum",
        "combined-node",
        "old-protocol",
        "old-release",
        "no-metrics",
        "shared-node-id",
        "phase-differs",
        "unknown-phase",
    ],
)
def test_a_migration_that_cannot_start_is_stopped_with_host_variable_and_value(inventory, expected):
    problems = problems_of(inventory)
    assert any(expected in problem for problem in problems), problems


def test_a_kraft_inventory_that_still_says_migrating_is_refused():
    inventory = staged(kafka_mode="kraft", kafka_version="3.9.2", kafka_zookeeper_migration="dual_write")
    del inventory["all"]["children"]["zookeeper"]
    assert any(
        "kafka_zookeeper_migration is dual_write, but kafka_mode is kraft" in problem
        for problem in problems_of(inventory)
    )


# --- The gates, on the exporters of the lab's three migrating controllers (Kafka 3.9.2, recorded in
# the migrating phase: metadata copied, the three brokers still in ZooKeeper mode, controller-3 leads).

MIGRATING = Path(__file__).resolve().parents[1] / "data" / "metrics" / "kafka-3.9.2-migration"


def migrating_controllers() -> dict[str, gates.Scrape]:
    return {
        f"{path.stem}:7071": tool_output.prometheus_metrics(path.read_text())
        for path in sorted(MIGRATING.glob("controller-*.txt"))
    }


def held(check) -> str:
    with pytest.raises(gates.NotHealthy) as reason:
        check()
    return str(reason.value)


def test_the_migration_gate_reads_the_active_controllers_state_and_the_brokers_left_on_zookeeper():
    controllers = migrating_controllers()
    assert gates.metrics_migration_verdict(controllers, "MIGRATION") == (
        "migration state MIGRATION on the active controller (controller-3:7071), "
        "3 brokers still in ZooKeeper mode"
    )
    assert held(lambda: gates.metrics_migration_verdict(controllers, "BROKERS_MIGRATED")) == (
        "migration state MIGRATION on the active controller (controller-3:7071), "
        "3 brokers still in ZooKeeper mode"
    )
    assert held(lambda: gates.metrics_migration_verdict(controllers, "POST_MIGRATION")).endswith(
        "waiting for POST_MIGRATION, 3 brokers still in ZooKeeper mode"
    )


def test_once_every_broker_runs_kraft_the_migration_gate_lets_the_finalize_through():
    controllers = migrating_controllers()
    for samples in controllers.values():
        samples["kafka_controller_kafkacontroller_migratingzkbrokercount"] = [({}, 0.0)]
    assert gates.metrics_migration_verdict(controllers, "BROKERS_MIGRATED") == (
        "migration state MIGRATION (dual-write), every broker on KRaft (controller-3:7071)"
    )


def test_a_kafka_3_9_quorum_without_the_number_of_voters_metric_is_counted_by_its_exporters():
    controllers = migrating_controllers()
    assert all("kafka_server_raftmetrics_number_of_voters" not in s for s in controllers.values())
    assert gates.metrics_quorum_verdict(controllers, 3).startswith(
        "quorum healthy: leader 1003, voters [controller-1:7071, controller-2:7071, controller-3:7071]"
    )
    assert held(lambda: gates.metrics_quorum_verdict(controllers, 5)) == (
        "the quorum has 3 voters (3 exporters read), expected 5"
    )
