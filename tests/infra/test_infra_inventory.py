"""The inventory built from host facts, its contract checks, and the inventory writer CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from kafkakit_aws.inventory import (
    ClusterVars,
    Connection,
    HostFacts,
    InventoryError,
    bootstrap_servers,
    build_inventory,
    check_inventory,
    external_bootstrap_servers,
    host_summary,
    instance_tags,
    normalise,
    port_vars,
    render_yaml,
    ssm_command_timeout,
    zookeeper_connect,
)
from kafkakit_aws.settings import Ports

REPO_ROOT = Path(__file__).resolve().parents[2]
WRITER = REPO_ROOT / "infra" / "write_inventory.py"
SSM = Connection("ssm", "eu-west-1", "kafka-ssm-bucket", "https://s3.eu-west-1.amazonaws.com")
SSH = Connection("ssh", "eu-west-1")
KRAFT_4 = ClusterVars("kraft", "4.4.0")
ZK_3 = ClusterVars("zookeeper", "3.9.1")


def host(name, groups, *, zone="eu-west-1a", node_id=None, myid=None, n=1, external=None) -> HostFacts:
    return HostFacts(
        name=name,
        groups=groups,
        zone=zone,
        zone_id=f"euw1-az{ord(zone[-1]) - 96}",
        node_id=node_id,
        zookeeper_myid=myid,
        instance_id=f"i-0{n:016x}",
        private_ip=f"10.42.0.{10 + n}",
        data_volume_id=f"vol-0{n:016x}",
        dns_name=f"{name}.kafka-test.internal",
        external_port=external,
        external_host="external.kafka-test.internal" if external else None,
    )


KRAFT = [
    host("kafka-broker-1", ("kafka_broker",), node_id=1, n=1),
    host("kafka-broker-2", ("kafka_broker",), zone="eu-west-1b", node_id=2, n=2),
    host("kafka-controller-1", ("kafka_controller",), node_id=1001, n=3),
]
COMBINED = [host(f"kafka-{i}", ("kafka_broker", "kafka_controller"), node_id=i, n=i) for i in (1, 2, 3)]
ZOOKEEPER = [
    host("kafka-broker-1", ("kafka_broker",), node_id=1, n=1),
    host("zookeeper-1", ("zookeeper",), myid=1, n=2),
]


def children(inventory):
    return inventory["all"]["children"]


def test_ssm_inventory_follows_the_contract():
    inventory = build_inventory(cluster=KRAFT_4, connection=SSM, hosts=KRAFT)
    assert inventory["all"]["vars"] == {
        "kafka_mode": "kraft",
        "kafka_version": "4.4.0",
        "kafka_security_profile": "secure",
        "kafka_client_authentication": "scram",
        "ansible_connection": "amazon.aws.aws_ssm",
        "ansible_aws_ssm_region": "eu-west-1",
        "ansible_aws_ssm_bucket_name": "kafka-ssm-bucket",
        "ansible_aws_ssm_bucket_endpoint_url": "https://s3.eu-west-1.amazonaws.com",
        "ansible_aws_ssm_timeout": ssm_command_timeout(),
    }
    assert list(children(inventory)) == ["kafka_broker", "kafka_controller", "zookeeper", "monitoring"]
    assert children(inventory)["zookeeper"] == {"hosts": {}}
    assert children(inventory)["monitoring"] == {"hosts": {}}
    assert children(inventory)["kafka_broker"]["hosts"]["kafka-broker-2"] == {
        "ansible_host": "i-00000000000000002",
        "ansible_aws_ssm_instance_id": "i-00000000000000002",
        "kafka_node_id": 2,
        "kafka_advertised_host": "kafka-broker-2.kafka-test.internal",
        "kafka_broker_rack": "euw1-az2",
        "host_prep_data_device": ("/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol00000000000000002"),
        "aws_instance_id": "i-00000000000000002",
        "aws_private_ip": "10.42.0.12",
        "aws_availability_zone": "eu-west-1b",
    }
    controller = children(inventory)["kafka_controller"]["hosts"]["kafka-controller-1"]
    assert controller["kafka_node_id"] == 1001
    assert "kafka_broker_rack" not in controller


def test_ssh_inventory_uses_the_private_ip_and_the_debian_user():
    inventory = build_inventory(cluster=KRAFT_4, connection=SSH, hosts=KRAFT)
    assert inventory["all"]["vars"] == {
        "kafka_mode": "kraft",
        "kafka_version": "4.4.0",
        "kafka_security_profile": "secure",
        "kafka_client_authentication": "scram",
        "ansible_connection": "ssh",
        "ansible_user": "admin",
    }
    broker = children(inventory)["kafka_broker"]["hosts"]["kafka-broker-1"]
    assert broker["ansible_host"] == "10.42.0.11"
    assert not [k for k in broker if k.startswith("ansible_aws_ssm")]


def test_combined_nodes_are_in_both_groups_with_the_same_vars():
    inventory = build_inventory(cluster=KRAFT_4, connection=SSM, hosts=COMBINED)
    brokers = children(inventory)["kafka_broker"]["hosts"]
    controllers = children(inventory)["kafka_controller"]["hosts"]
    assert list(brokers) == list(controllers) == ["kafka-1", "kafka-2", "kafka-3"]
    assert brokers == controllers
    assert brokers["kafka-1"] is not controllers["kafka-1"]


def test_zookeeper_inventory():
    inventory = build_inventory(cluster=ZK_3, connection=SSM, hosts=ZOOKEEPER)
    assert children(inventory)["kafka_controller"] == {"hosts": {}}
    zk = children(inventory)["zookeeper"]["hosts"]["zookeeper-1"]
    assert zk["zookeeper_myid"] == 1
    assert zk["zookeeper_advertised_host"] == "zookeeper-1.kafka-test.internal"
    assert "kafka_node_id" not in zk
    assert "kafka_advertised_host" not in zk


def test_duplicate_node_ids_are_refused():
    hosts = [*KRAFT[:1], host("kafka-controller-1", ("kafka_controller",), node_id=1, n=3)]
    with pytest.raises(InventoryError, match="kafka_node_id 1 is also kafka-broker-1's"):
        build_inventory(cluster=KRAFT_4, connection=SSM, hosts=hosts)


def test_contract_checks():
    good = build_inventory(cluster=ZK_3, connection=SSM, hosts=ZOOKEEPER)
    assert check_inventory(good) == []
    bad = json.loads(json.dumps(good))
    zk = children(bad)["zookeeper"]["hosts"]
    zk["zookeeper-1"]["zookeeper_myid"] = 300
    zk["zookeeper-2"] = dict(zk["zookeeper-1"], zookeeper_myid=1)
    del children(bad)["kafka_broker"]["hosts"]["kafka-broker-1"]["kafka_broker_rack"]
    children(bad)["kafka_controller"]["hosts"]["x"] = {"kafka_node_id": 7}
    del children(bad)["zookeeper"]["hosts"]["zookeeper-1"]["host_prep_data_device"]
    children(bad)["kafka_broker"]["hosts"]["kafka-broker-1"]["kafka_broker_port"] = "9094"
    assert check_inventory(bad) == [
        "zookeeper must have an odd number of hosts, has 2",
        "kafka-broker-1: kafka_broker_rack is missing",
        "x: kafka_advertised_host is missing",
        "zookeeper-1: zookeeper_myid must be an integer from 1 to 255",
        "kafka-broker-1: kafka_broker_port must be a port number, got '9094'",
        "x: ansible_host is missing",
        "x: host_prep_data_device must be the data volume's /dev path, got None",
        "zookeeper-1: host_prep_data_device must be the data volume's /dev path, got None",
    ]
    assert check_inventory({"all": {}}) == ["the inventory has no all.children mapping"]


def test_normalise_undoes_json_number_widening():
    inventory = build_inventory(cluster=KRAFT_4, connection=SSM, hosts=KRAFT)
    widened = json.loads(json.dumps(inventory).replace('"kafka_node_id": 1,', '"kafka_node_id": 1.0,'))
    assert children(widened)["kafka_broker"]["hosts"]["kafka-broker-1"]["kafka_node_id"] == 1.0
    assert normalise(widened) == inventory


def test_render_yaml_round_trips_with_a_header():
    inventory = build_inventory(cluster=KRAFT_4, connection=SSM, hosts=KRAFT)
    text = render_yaml(inventory, "line one\nline two")
    assert text.startswith("---\n# line one\n# line two\nall:\n")
    assert "&id" not in text and "*id" not in text  # no YAML aliases
    assert yaml.safe_load(text) == inventory


def test_bootstrap_and_zookeeper_connect():
    assert bootstrap_servers(KRAFT, 9092) == (
        "kafka-broker-1.kafka-test.internal:9092,kafka-broker-2.kafka-test.internal:9092"
    )
    assert zookeeper_connect(ZOOKEEPER, 2181) == "zookeeper-1.kafka-test.internal:2181"
    assert zookeeper_connect(KRAFT, 2181) == ""


def test_host_summary():
    summary = host_summary(KRAFT)
    assert summary["kafka-broker-1"]["rack"] == "euw1-az1"
    assert summary["kafka-broker-1"]["availability_zone"] == "eu-west-1a"
    assert summary["kafka-controller-1"]["rack"] is None
    assert summary["kafka-controller-1"]["data_device"].endswith("vol00000000000000003")


def test_instance_tags_carry_the_group_vars():
    ssm = instance_tags(KRAFT_4, Connection("ssm", "eu-west-1", "b", "https://s3.eu-west-1.amazonaws.com"))
    assert ssm["kafka-kit:ansible-connection"] == "amazon.aws.aws_ssm"
    assert ssm["kafka-kit:ssm-bucket"] == "b"
    assert ssm["kafka-kit:ssm-timeout"] == str(ssm_command_timeout())
    assert not [k for k in ssm if "port" in k]  # default ports: no tags, no variables
    ssh = instance_tags(KRAFT_4, SSH)
    assert ssh["kafka-kit:ssh-user"] == "admin"
    assert not [k for k in ssh if "ssm" in k]


def test_ssm_commands_may_run_as_long_as_the_longest_role_command():
    """Defect 1: kafka-restart on a combined node may take both gates (2 x 60 s), the stop
    (300 s) and three health waits (3 x 300 s), each overrunning by one last check (120 s)."""
    timeout = ssm_command_timeout()
    assert timeout >= 2 * 60 + 300 + 3 * 300 + 5 * 120
    assert timeout % 300 == 0
    assert timeout == 2100
    for hosts in (KRAFT, COMBINED):
        inventory = build_inventory(cluster=KRAFT_4, connection=SSM, hosts=hosts)
        assert inventory["all"]["vars"]["ansible_aws_ssm_timeout"] == timeout
    assert (
        "ansible_aws_ssm_timeout"
        not in build_inventory(cluster=KRAFT_4, connection=SSH, hosts=KRAFT)["all"]["vars"]
    )


def test_ports_reach_the_inventory_only_when_they_differ_from_the_defaults():
    """Defect 4: the port settings are the roles' port variables, in the inventory and the tags."""
    assert port_vars(Ports()) == {}
    ports = Ports(broker=19092, controller=19093, jmx_exporter=17071, node_exporter=19100)
    expected = {
        "kafka_broker_port": 19092,
        "kafka_controller_port": 19093,
        "kafka_metrics_jmx_exporter_port": 17071,
        "kafka_metrics_node_exporter_port": 19100,
    }
    assert port_vars(ports) == expected
    cluster = ClusterVars("kraft", "4.4.0", ports)
    inventory = build_inventory(cluster=cluster, connection=SSM, hosts=KRAFT)
    assert {k: v for k, v in inventory["all"]["vars"].items() if k.endswith("_port")} == expected
    tags = instance_tags(cluster, SSM)
    assert {k: v for k, v in tags.items() if k.endswith("-port")} == {
        "kafka-kit:kafka-broker-port": "19092",
        "kafka-kit:kafka-controller-port": "19093",
        "kafka-kit:kafka-metrics-jmx-exporter-port": "17071",
        "kafka-kit:kafka-metrics-node-exporter-port": "19100",
    }
    assert bootstrap_servers(KRAFT, ports.broker).endswith("kafka-broker-2.kafka-test.internal:19092")


def test_apt_proxy_reaches_every_host():
    cluster = ClusterVars("kraft", "4.4.0", apt_proxy_url="http://10.0.5.10:3142")
    inventory = build_inventory(cluster=cluster, connection=SSM, hosts=KRAFT)
    assert inventory["all"]["vars"]["host_prep_apt_proxy"] == "http://10.0.5.10:3142"
    assert instance_tags(cluster, SSM)["kafka-kit:apt-proxy"] == "http://10.0.5.10:3142"


def test_brokers_behind_the_client_load_balancer_get_an_external_listener():
    hosts = [
        host("kafka-broker-1", ("kafka_broker",), node_id=1, n=1, external=9201),
        host("kafka-controller-1", ("kafka_controller",), node_id=1001, n=3),
    ]
    inventory = build_inventory(cluster=KRAFT_4, connection=SSM, hosts=hosts)
    broker = children(inventory)["kafka_broker"]["hosts"]["kafka-broker-1"]
    assert broker["kafka_listeners_extra"] == [
        {
            "name": "EXTERNAL",
            "port": 9201,
            # Resolved by Ansible per host, as the kafka role's own listeners are.
            "protocol": "{{ kafka_broker_listener_protocol }}",
            "advertised_host": "external.kafka-test.internal",
        }
    ]
    assert (
        "kafka_listeners_extra" not in children(inventory)["kafka_controller"]["hosts"]["kafka-controller-1"]
    )
    assert external_bootstrap_servers(hosts) == "external.kafka-test.internal:9201"
    assert external_bootstrap_servers(KRAFT) == ""


def test_monitoring_host_is_in_its_own_group():
    hosts = [*KRAFT, host("monitoring-1", ("monitoring",), n=9)]
    inventory = build_inventory(cluster=KRAFT_4, connection=SSM, hosts=hosts)
    monitoring = children(inventory)["monitoring"]["hosts"]["monitoring-1"]
    assert not [k for k in monitoring if k.startswith(("kafka_", "zookeeper_"))]
    assert monitoring["host_prep_data_device"].endswith("vol00000000000000009")
    assert "monitoring-1" not in children(inventory)["kafka_broker"]["hosts"]


# --------------------------------------------------------------------------- the CLI


def run_writer(*args: str, stdin: str = "", env: dict | None = None):
    return subprocess.run(
        [sys.executable, str(WRITER), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        cwd=REPO_ROOT,
    )


@pytest.fixture
def inventory_json() -> str:
    inventory = build_inventory(cluster=KRAFT_4, connection=SSM, hosts=KRAFT)
    return json.dumps(inventory)


def test_writer_reads_standard_input(tmp_path, inventory_json):
    out = tmp_path / "inv" / "hosts.yml"
    result = run_writer("--input", "-", "--output", str(out), stdin=inventory_json)
    assert result.returncode == 0, result.stderr
    assert f"wrote {out} (3 hosts)" in result.stdout
    text = out.read_text()
    assert text.startswith("---\n# Generated from the ansible_inventory output")
    assert yaml.safe_load(text) == json.loads(inventory_json)
    assert oct(out.stat().st_mode & 0o777) == "0o644"


def test_writer_accepts_the_whole_stack_output(tmp_path, inventory_json):
    whole = json.dumps({"ansible_inventory": json.loads(inventory_json), "region": "eu-west-1"})
    source = tmp_path / "outputs.json"
    source.write_text(whole)
    out = tmp_path / "hosts.yml"
    assert run_writer("--input", str(source), "--output", str(out)).returncode == 0
    assert yaml.safe_load(out.read_text()) == json.loads(inventory_json)


def test_writer_refuses_an_invalid_inventory_and_keeps_the_old_file(tmp_path, inventory_json):
    out = tmp_path / "hosts.yml"
    out.write_text("old\n")
    broken = json.loads(inventory_json)
    del broken["all"]["children"]["kafka_controller"]
    result = run_writer("--input", "-", "--output", str(out), stdin=json.dumps(broken))
    assert result.returncode == 1
    assert "group kafka_controller is missing" in result.stderr
    assert out.read_text() == "old\n"
    result = run_writer("--input", "-", "--output", str(out), stdin="not json")
    assert result.returncode == 2
    assert "standard input is not JSON" in result.stderr


def test_writer_runs_pulumi_stack_output(tmp_path, inventory_json):
    fake = tmp_path / "bin" / "pulumi"
    fake.parent.mkdir()
    (tmp_path / "inventory.json").write_text(inventory_json)
    fake.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$PWD" "$@" > "{tmp_path}/argv"\n'
        'if [ "$5" = missing ]; then echo "error: no stack named missing" >&2; exit 255; fi\n'
        f'cat "{tmp_path}/inventory.json"\n'
    )
    fake.chmod(0o755)
    out = tmp_path / "hosts.yml"
    result = run_writer("--stack", "prod", "--output", str(out), "--pulumi", str(fake))
    assert result.returncode == 0, result.stderr
    argv = (tmp_path / "argv").read_text().split("\n")
    assert argv[:7] == [
        str(REPO_ROOT),
        "stack",
        "output",
        "--json",
        "--stack",
        "prod",
        "ansible_inventory",
    ]
    assert "Pulumi stack prod" in out.read_text()

    result = run_writer("--stack", "missing", "--output", str(out), "--pulumi", str(fake))
    assert result.returncode == 2
    assert "error: no stack named missing" in result.stderr

    result = run_writer("--stack", "prod", "--pulumi", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "not found: install the Pulumi CLI" in result.stderr
