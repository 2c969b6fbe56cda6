"""A live plaintext cluster moves to the secure profile under verifiable traffic (docs/security.md).

`make lab SECURITY=plaintext` deploys 3 combined nodes with every listener PLAINTEXT. Then three
inventories, each written by `lab.py up --security STEP` and rolled out by deploy.yml behind its
gates: `open` (the secure listeners beside the plaintext ones), `switch` (the nodes talk over the
secure ones), `moved` (the plaintext ones closed). The clients of the plaintext cluster keep
writing through the first two steps; clients on the secure listeners write through the last. No
acknowledged message may be lost. Three rolls of every node: it runs in `make e2e-lifecycle` and
`make e2e-slow`, not in make test.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient
from conftest import BIN, ROOT, under_traffic

pytestmark = [pytest.mark.lab, pytest.mark.day2, pytest.mark.slow, pytest.mark.lifecycle]


@dataclass
class Clients:
    """Clients of the cluster as zero_loss.py takes them: where they connect and with what."""

    bootstrap_servers: str
    kafka_version: str
    client_properties: Path
    librdkafka_properties: Path
    mode: str
    shape: str


def gets_in(conf: dict) -> bool:
    """Whether a client with `conf` gets the cluster's metadata."""
    try:
        AdminClient({**conf, "socket.timeout.ms": 5000}).list_topics(timeout=15)
    except KafkaException:
        return False
    return True


def step(cluster, name: str) -> str:
    """The lab's inventory at step `name`, then deploy.yml's gated roll."""
    lab = f"{BIN / 'python'} {ROOT / 'lab' / 'lab.py'} --name {cluster.name}"
    up = f"{lab} up --brokers {len(cluster.brokers)} --port-offset {cluster.port_offset} --security {name}"
    deploy = f"{BIN / 'ansible-playbook'} -i {cluster.inventory} {ROOT / 'playbooks' / 'deploy.yml'}"
    return f"{up} && {deploy}"


@pytest.mark.parametrize("lab_cluster", ["plaintext"], indirect=True)
def test_a_plaintext_cluster_moves_to_the_secure_profile_without_loss(lab_cluster, tmp_path):
    # The plaintext cluster's clients, kept aside: the lab rewrites its client files once it moved.
    for name in ("client.properties", "librdkafka.properties"):
        shutil.copy(lab_cluster.state / name, tmp_path / name)
    plaintext = Clients(
        lab_cluster.bootstrap_servers, lab_cluster.kafka_version, tmp_path / "client.properties",
        tmp_path / "librdkafka.properties", lab_cluster.mode, "plaintext",
    )  # fmt: skip
    assert gets_in({"bootstrap.servers": plaintext.bootstrap_servers})

    under_traffic(
        plaintext, "plaintext to secure: the secure listeners open", "sh", "-c", step(lab_cluster, "open")
    )
    under_traffic(plaintext, "plaintext to secure: the nodes switch", "sh", "-c", step(lab_cluster, "switch"))
    lab_cluster.refresh()  # the lab's clients now use the secure listeners (HOST_TLS)
    assert lab_cluster.bootstrap_servers != plaintext.bootstrap_servers
    under_traffic(lab_cluster, "plaintext to secure: the plaintext listeners close", "sh", "-c",
                  step(lab_cluster, "moved"))  # fmt: skip

    assert not gets_in({"bootstrap.servers": plaintext.bootstrap_servers}), (
        "the old plaintext ports still answer"
    )
    assert not gets_in({"bootstrap.servers": lab_cluster.bootstrap_servers}), (
        "plaintext got in on the secure ports"
    )
    assert gets_in(lab_cluster.rdkafka())
    for host in lab_cluster.kafka_hosts:
        config = lab_cluster.exec(host, "cat", "/etc/kafka/server.properties")
        protocols = next(
            line for line in config.splitlines() if line.startswith("listener.security.protocol.map=")
        )
        assert "PLAINTEXT" not in protocols.replace("SASL_SSL", ""), f"{host}: {protocols}"
        assert "User:ANONYMOUS" not in config, f"{host}: anonymous is still a super user"
        assert "authorizer.class.name=" in config, host
    # The moved cluster is what the inventory says: a re-run changes nothing.
    lab_cluster.run_playbook("deploy.yml").assert_changed_nothing(lab_cluster.host_names)
    rc, message = lab_cluster.gate(
        lab_cluster.brokers[0], "partitions", default_min_isr=2, timeout=120,
        bootstrap_server=",".join(f"{broker}:9094" for broker in lab_cluster.brokers),
    )  # fmt: skip
    assert rc == 0, message
