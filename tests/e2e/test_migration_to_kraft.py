"""A live ZooKeeper-mode cluster migrates to KRaft under verifiable traffic (docs/migration.md), and
another goes back from dual-write to ZooKeeper.

`make lab MODE=zookeeper CONTROLLERS=3` deploys 3 brokers on 3.9, an ensemble of 3 and three
controllers staged for the migration. A topic with a config of its own, a SCRAM user and an ACL
of that user are made in ZooKeeper mode. Then each phase is written by `lab.py up --migration
PHASE` and applied by migrate_to_kraft.yml or rollback_to_zookeeper.yml. One cluster goes
migrating, dual_write, then the KRaft inventory, which finalizes it; afterwards the topic, its
config, the user and the ACL are in KRaft's metadata, no node mentions ZooKeeper and deploy.yml
changes nothing. Another goes migrating, dual_write, back to migrating and back to none
(ZooKeeper alone), and keeps the same metadata. Clients write through every phase; no
acknowledged message may be lost. Each phase rolls the brokers: both run in
`make e2e-lifecycle` and `make e2e-slow`, not in make test, each on a lab of its own so that
either fits a CI run alone.
"""

from __future__ import annotations

import pytest
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ConfigResource,
    NewTopic,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialUpsertion,
)
from conftest import BIN, ROOT, under_traffic

pytestmark = [pytest.mark.lab, pytest.mark.day2, pytest.mark.slow, pytest.mark.lifecycle]

TOPIC = "orders-before-the-migration"
USER = "orders-reader"
RETENTION_MS = "86400000"


def phase(cluster, name: str, playbook: str = "migrate_to_kraft.yml") -> str:
    """The lab's inventory at phase `name`, then the playbook that applies it."""
    lab = f"{BIN / 'python'} {ROOT / 'lab' / 'lab.py'} --name {cluster.name}"
    up = (
        f"{lab} up --mode zookeeper --brokers {len(cluster.brokers)} "
        f"--controllers {len(cluster.controllers)} --port-offset {cluster.port_offset} --migration {name}"
    )
    run = f"{BIN / 'ansible-playbook'} -i {cluster.inventory} {ROOT / 'playbooks' / playbook}"
    return f"{up} && {run}"


def reader_acl() -> AclBinding:
    return AclBinding(
        ResourceType.TOPIC, TOPIC, ResourcePatternType.LITERAL, f"User:{USER}", "*",
        AclOperation.READ, AclPermissionType.ALLOW,
    )  # fmt: skip


def make_metadata_in_zookeeper(admin: AdminClient) -> None:
    """A topic with its own retention, a SCRAM user and its ACL, made while ZooKeeper holds them."""
    created = admin.create_topics([NewTopic(TOPIC, 3, 3, config={"retention.ms": RETENTION_MS})])
    created[TOPIC].result(60)
    credential = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192)
    upsert = UserScramCredentialUpsertion(USER, credential, b"orders-reader-password-0123")
    admin.alter_user_scram_credentials([upsert])[USER].result(60)
    admin.create_acls([reader_acl()])[reader_acl()].result(60)


def metadata_kept(admin: AdminClient) -> None:
    """What make_metadata_in_zookeeper made is there."""
    assert TOPIC in admin.list_topics(timeout=30).topics
    resource = ConfigResource(ResourceType.TOPIC, TOPIC)
    config = admin.describe_configs([resource])[resource].result(60)
    assert config["retention.ms"].value == RETENTION_MS
    users = admin.describe_user_scram_credentials([USER])[USER].result(60)
    assert [info.mechanism for info in users.scram_credential_infos] == [ScramMechanism.SCRAM_SHA_512]
    acl_filter = AclBindingFilter(
        ResourceType.TOPIC, TOPIC, ResourcePatternType.LITERAL, None, None,
        AclOperation.ANY, AclPermissionType.ANY,
    )  # fmt: skip
    assert admin.describe_acls(acl_filter).result(60) == [reader_acl()]


def brokers_run(cluster, key: str) -> list[str]:
    """The brokers whose server.properties sets `key`."""
    return [
        broker
        for broker in cluster.brokers
        if f"\n{key}=" in "\n" + cluster.exec(broker, "cat", "/etc/kafka/server.properties")
    ]


def staged_with_metadata(cluster) -> AdminClient:
    """The cluster make lab left (controllers staged, untouched), with the metadata made in
    ZooKeeper that the migration must carry."""
    assert len(cluster.controllers) == 3
    # The report of the validation says so (its YAML output wraps long lines anywhere).
    assert "staged for the migration to KRaft" in " ".join(cluster.first_deploy.output.split())
    for controller in cluster.controllers:  # staged: no play touched them
        answer = cluster.exec(controller, "sh", "-c", "test -e /etc/kafka || echo untouched")
        assert answer.strip() == "untouched", controller
    admin = AdminClient(cluster.rdkafka())
    make_metadata_in_zookeeper(admin)
    return admin


def to_dual_write(cluster) -> None:
    """Controllers in migration mode, then every broker in KRaft mode writing to ZooKeeper too."""
    under_traffic(cluster, "zookeeper to kraft: migrating", "sh", "-c", phase(cluster, "migrating"))
    assert brokers_run(cluster, "zookeeper.metadata.migration.enable") == cluster.brokers
    under_traffic(cluster, "zookeeper to kraft: dual write", "sh", "-c", phase(cluster, "dual_write"))
    assert brokers_run(cluster, "process.roles") == cluster.brokers


@pytest.mark.parametrize("lab_cluster", ["migration"], indirect=True)
def test_a_zookeeper_cluster_migrates_to_kraft_and_is_finalized_without_loss(lab_cluster):
    admin = staged_with_metadata(lab_cluster)
    to_dual_write(lab_cluster)
    under_traffic(lab_cluster, "zookeeper to kraft: finalize", "sh", "-c", phase(lab_cluster, "kraft"))

    for host in lab_cluster.kafka_hosts:
        config = lab_cluster.exec(host, "cat", "/etc/kafka/server.properties")
        assert "zookeeper" not in config.lower(), f"{host} still mentions ZooKeeper"
        assert "StandardAuthorizer" in config, host
    metadata_kept(admin)
    # The finalized cluster is what its KRaft inventory says: deploy.yml changes nothing.
    lab_cluster.run_playbook("deploy.yml").assert_changed_nothing(lab_cluster.kafka_hosts)
    rc, message = lab_cluster.gate(
        lab_cluster.controllers[0], "quorum", voters=3, timeout=120,
        bootstrap_controller=",".join(f"{c}:9093" for c in lab_cluster.controllers),
        command_config=lab_cluster.controller_admin_config,
    )  # fmt: skip
    assert rc == 0, message
    rc, message = lab_cluster.gate(
        lab_cluster.brokers[0], "partitions", default_min_isr=2, timeout=120,
        bootstrap_server=lab_cluster.internal_bootstrap(),
    )  # fmt: skip
    assert rc == 0, message


@pytest.mark.parametrize("lab_cluster", ["rollback"], indirect=True)
def test_a_cluster_in_dual_write_goes_back_to_zookeeper_without_loss(lab_cluster):
    admin = staged_with_metadata(lab_cluster)
    to_dual_write(lab_cluster)
    # Back to ZooKeeper from dual-write, one phase at a time.
    under_traffic(lab_cluster, "zookeeper to kraft: rollback to migrating", "sh", "-c",
                  phase(lab_cluster, "migrating", "rollback_to_zookeeper.yml"))  # fmt: skip
    assert brokers_run(lab_cluster, "process.roles") == []
    under_traffic(lab_cluster, "zookeeper to kraft: rollback to zookeeper", "sh", "-c",
                  phase(lab_cluster, "none", "rollback_to_zookeeper.yml"))  # fmt: skip
    assert brokers_run(lab_cluster, "zookeeper.metadata.migration.enable") == []
    assert brokers_run(lab_cluster, "broker.id") == lab_cluster.brokers
    metadata_kept(admin)
