"""The lab's shapes: which hosts it plans and the inventory it writes (no containers). Every shape
has a monitoring host beside the nodes, as a real stack's monitoring instance."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("lab", ROOT / "lab" / "lab.py")
lab = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lab)


def test_zookeeper_mode_plans_separate_brokers_and_ensemble_members():
    hosts = lab.plan(3, 0, 600, "zookeeper", 3)
    assert [(h["name"], h["groups"]) for h in hosts] == [
        ("broker-1", ["kafka_broker"]),
        ("broker-2", ["kafka_broker"]),
        ("broker-3", ["kafka_broker"]),
        ("zookeeper-1", ["zookeeper"]),
        ("zookeeper-2", ["zookeeper"]),
        ("zookeeper-3", ["zookeeper"]),
        ("monitoring-1", ["monitoring"]),
    ]
    assert [h["myid"] for h in hosts if "myid" in h] == [1, 2, 3]
    assert [h["rack"] for h in hosts if "rack" in h] == ["lab-a", "lab-b", "lab-c"]
    # Ports shifted by the lab's offset, so labs run side by side; only brokers publish a listener,
    # only the monitoring host its Prometheus.
    assert [h["ssh_port"] for h in hosts] == [2821, 2822, 2823, 2851, 2852, 2853, 2861]
    assert [h.get("client_port") for h in hosts] == [19692, 19693, 19694, None, None, None, None]
    assert [h.get("prometheus_port") for h in hosts] == [None] * 6 + [19690]


def test_the_ensemble_size_follows_zookeepers():
    assert sum("zookeeper" in h["groups"] for h in lab.plan(1, 0, 0, "zookeeper", 5)) == 5


@pytest.mark.parametrize("zookeepers", [0, 2, 4])
def test_an_even_or_empty_ensemble_is_refused(zookeepers):
    with pytest.raises(SystemExit, match="ZOOKEEPERS must be odd"):
        lab.plan(3, 0, 0, "zookeeper", zookeepers)


def test_zookeeper_mode_stages_an_odd_number_of_controllers_for_the_migration():
    with pytest.raises(SystemExit, match="CONTROLLERS must be 0 or an odd number"):
        lab.plan(3, 2, 0, "zookeeper", 3)
    hosts = lab.plan(3, 3, 0, "zookeeper", 3)
    controllers = [h for h in hosts if h["name"].startswith("controller-")]
    assert [(h["name"], h["groups"], h["node_id"]) for h in controllers] == [
        (f"controller-{i}", ["kafka_controller"], 1000 + i) for i in (1, 2, 3)
    ]


def test_each_migration_stage_writes_the_inventory_that_phase_needs():
    assert lab.migration_vars("none", "") == {}
    assert lab.migration_vars("dual_write", "") == {"kafka_zookeeper_migration": "dual_write"}
    # Finalized: a KRaft inventory on the release it migrated on, not the kraft default 4.4.0.
    assert lab.migration_vars("kraft", "") == {"kafka_mode": "kraft", "kafka_version": "3.9.2"}


def test_kraft_mode_plans_combined_nodes_and_a_monitoring_host():
    hosts = lab.plan(3, 0, 0)
    assert [h["name"] for h in hosts] == ["kafka-1", "kafka-2", "kafka-3", "monitoring-1"]
    assert all(h["groups"] == ["kafka_broker", "kafka_controller"] for h in hosts[:3])


def test_combined_nodes_beyond_three_are_brokers_only():
    hosts = lab.plan(5, 0, 0)
    assert [h["groups"] for h in hosts[:5]] == [["kafka_broker", "kafka_controller"]] * 3 + [
        ["kafka_broker"]
    ] * 2


def test_dedicated_controllers_are_numbered_apart_from_the_brokers():
    hosts = lab.plan(4, 3, 0)
    controllers = [h for h in hosts if h["groups"] == ["kafka_controller"]]
    assert [(h["name"], h["node_id"]) for h in controllers] == [
        ("controller-1", 1001), ("controller-2", 1002), ("controller-3", 1003)
    ]  # fmt: skip


@pytest.mark.parametrize("controllers", [2, 4, -1])
def test_an_even_or_negative_controller_count_is_refused(controllers):
    with pytest.raises(SystemExit, match="CONTROLLERS must be 0"):
        lab.plan(3, controllers, 0)


def test_the_inventory_carries_the_mode_the_ensemble_and_its_myids(tmp_path):
    hosts = lab.plan(3, 0, 700, "zookeeper", 3)
    document = lab.inventory(lab.Lab("zk-test"), hosts, tmp_path / "key", "", "zookeeper")
    all_group = document["all"]
    assert all_group["vars"]["kafka_mode"] == "zookeeper"
    # No version given: the kafka role's default for the mode (the newest 3.9.x) applies.
    assert "kafka_version" not in all_group["vars"]
    assert set(all_group["children"]["zookeeper"]["hosts"]) == {"zookeeper-1", "zookeeper-2", "zookeeper-3"}
    assert set(all_group["children"]["kafka_broker"]["hosts"]) == {"broker-1", "broker-2", "broker-3"}
    assert all_group["children"]["kafka_controller"]["hosts"] == {}
    member = all_group["hosts"]["zookeeper-2"]
    assert member["zookeeper_myid"] == 2
    assert member["host_prep_data_device"] == "/dev/xvdb"  # each member has a data disk of its own
    assert "kafka_node_id" not in member
    broker = all_group["hosts"]["broker-1"]
    assert broker["kafka_node_id"] == 1
    assert broker["kafka_listeners_extra"][0]["port"] == 19792
    # Prometheus keeps its samples on the root disk: the monitoring host has no data device.
    assert "host_prep_data_device" not in all_group["hosts"]["monitoring-1"]
    assert set(all_group["children"]["monitoring"]["hosts"]) == {"monitoring-1"}


def test_a_kraft_inventory_pins_the_version_it_is_given(tmp_path):
    document = lab.inventory(lab.Lab("k-test"), lab.plan(3, 0, 0), tmp_path / "key", "4.4.0")
    assert document["all"]["vars"]["kafka_mode"] == "kraft"
    assert document["all"]["vars"]["kafka_version"] == "4.4.0"
    assert document["all"]["children"]["zookeeper"]["hosts"] == {}


@pytest.mark.parametrize(("mode", "controllers"), [("kraft", 0), ("kraft", 3), ("zookeeper", 0)])
def test_growing_the_cluster_moves_no_host_to_another_port(mode, controllers):
    # Scale-out re-plans the lab with one more broker: every existing host keeps its SSH port.
    ports = {h["name"]: h["ssh_port"] for h in lab.plan(3, controllers, 0, mode, 3)}
    grown = {h["name"]: h["ssh_port"] for h in lab.plan(4, controllers, 0, mode, 3)}
    assert {name: grown[name] for name in ports} == ports
    assert len(set(grown.values())) == len(grown)


KIT = "{{ kafka_broker_listener_protocol }}"  # the profile's protocol: SASL_SSL when secure


@pytest.mark.parametrize(
    ("stage", "listeners", "profile"),
    [
        ("secure", [("HOST", 19792, KIT)], None),
        ("plaintext", [("HOST", 19792, KIT)], "plaintext"),
        ("open", [("HOST", 19792, "PLAINTEXT"), ("HOST_TLS", 19812, KIT)], None),
        ("switch", [("HOST", 19792, "PLAINTEXT"), ("HOST_TLS", 19812, KIT)], None),
        ("moved", [("HOST_TLS", 19812, KIT)], None),
    ],
)  # fmt: skip
def test_the_lab_moves_from_plaintext_on_a_second_published_port(tmp_path, stage, listeners, profile):
    hosts = lab.plan(3, 0, 700)
    assert [h.get("moved_client_port") for h in hosts if "client_port" in h] == [19812, 19813, 19814]
    document = lab.inventory(lab.Lab("pt-test"), hosts, tmp_path / "key", "", stage=stage)
    found = document["all"]["hosts"]["kafka-1"]["kafka_listeners_extra"]
    assert [(item["name"], item["port"], item["protocol"]) for item in found] == listeners
    variables = document["all"]["vars"]
    assert variables.get("kafka_security_profile") == profile
    # HOST stays PLAINTEXT while the nodes move, so it is named with the kit's plaintext listeners.
    assert ("HOST" in variables.get("kafka_security_plaintext_listeners", [])) == (
        stage in ("open", "switch")
    )


def test_only_a_kraft_lab_moves_from_plaintext(tmp_path):
    args = type("Args", (), {"security": "open", "mode": "zookeeper"})()
    with pytest.raises(SystemExit, match="moves a KRaft cluster from plaintext"):
        lab.security_stage(lab.Lab("zk-pt-test"), args)
