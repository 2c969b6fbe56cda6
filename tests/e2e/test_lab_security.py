"""The secure profile on a live cluster, checked by clients that are not the kit's: the published
listeners refuse plaintext, a wrong password and a client that does not trust the cluster's CA; a
user the kit created is denied until an ACL grants it, then allowed; users and ACLs are idempotent
and go only when declared absent (a user is disabled, an ACL removed); no password reaches the
playbook's output.

Every other e2e test already talks to the cluster over SASL_SSL as the lab's admin (client.properties,
librdkafka.properties), so these tests are about what must fail.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import uuid

import pytest
from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic

pytestmark = pytest.mark.lab

# librdkafka gives up on a refused connection quickly; this bounds a client that never gets in.
REFUSED_WITHIN = 15


def metadata_error(conf: dict) -> str:
    """What a client that cannot get in is told: '' when it got the cluster's metadata."""
    client = AdminClient({**conf, "socket.timeout.ms": 5000})
    try:
        client.list_topics(timeout=REFUSED_WITHIN)
    except KafkaException as refused:
        client.poll(1)  # serves the error callbacks, which say why
        return str(refused.args[0])
    return ""


def test_the_published_listeners_refuse_plaintext(lab_cluster):
    conf = {"bootstrap.servers": lab_cluster.bootstrap_servers, "security.protocol": "PLAINTEXT"}
    assert metadata_error(conf), "a plaintext client got the cluster's metadata"


def test_a_wrong_password_is_refused(lab_cluster):
    conf = lab_cluster.rdkafka(**{"sasl.password": "not-" + lab_cluster.rdkafka()["sasl.password"]})
    errors = []
    conf["error_cb"] = errors.append
    assert metadata_error(conf)
    assert any("Authentication failed" in str(error) or "SASL" in str(error) for error in errors), errors


def test_a_client_that_does_not_trust_the_cluster_ca_is_refused(lab_cluster):
    # The system's CA bundle, as a client with no ssl.ca.location would use: the lab's CA is not in it.
    conf = lab_cluster.rdkafka(**{"ssl.ca.location": "/etc/ssl/certs/ca-certificates.crt"})
    errors = []
    conf["error_cb"] = errors.append
    assert metadata_error(conf)
    assert any("certificate verify failed" in str(error) for error in errors), errors


def produce_one(conf: dict, topic: str) -> KafkaError | None:
    """Produce one message and return its delivery error (None when acknowledged)."""
    outcome = []
    producer = Producer({**conf, "acks": "all", "message.timeout.ms": 20000})
    producer.produce(topic, value=b"hello", on_delivery=lambda err, _msg: outcome.append(err))
    producer.flush(30)
    assert outcome, "no delivery report within 30 s"
    return outcome[0]


@pytest.mark.parametrize("lab_cluster", ["kraft", "zookeeper"], indirect=True)
def test_a_user_is_denied_until_an_acl_grants_it_and_access_is_idempotent(lab_cluster):
    user, password = f"e2e-{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(24)
    topic = f"acl-{user}"
    admin = AdminClient(lab_cluster.rdkafka())
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=3)])[topic].result(timeout=60)
    as_user = lab_cluster.rdkafka(**{"sasl.username": user, "sasl.password": password})
    grant = {
        "principal": f"User:{user}",
        "resource_type": "topic",
        "resource_name": topic,
        "operations": ["write", "describe"],
    }

    def access(users: list[dict], acls: list[dict]):
        # The password goes in a file of the test's own, never on a command line.
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump({"kafka_access_users": users, "kafka_access_acls": acls}, handle)
        os.chmod(handle.name, 0o600)
        try:
            run = lab_cluster.run_playbook("access.yml", "-e", f"@{handle.name}", timeout=600)
        finally:
            os.unlink(handle.name)
        assert run.returncode == 0, run.output[-4000:]
        assert password not in run.output, "the user's password reached the playbook's output"
        return run

    created = access([{"name": user, "password": password}], [])
    assert created.changed > 0
    assert f"user {user}: create" in created.output
    # Authenticated, but no ACL grants anything: the write is refused.
    denied = produce_one(as_user, topic)
    assert denied is not None and denied.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED, denied

    granted = access([{"name": user, "password": password}], [grant])
    assert f"add allow describe, write on topic {topic} (literal) for User:{user}" in granted.output
    assert produce_one(as_user, topic) is None

    again = access([{"name": user, "password": password}], [grant])
    assert again.changed == 0, again.output[-3000:]

    # A new password is set again (the fingerprint changed); the old one stops working.
    new_password = secrets.token_urlsafe(24)
    password_run = access([{"name": user, "password": new_password}], [grant])
    assert f"user {user}: set password" in password_run.output
    assert new_password not in password_run.output
    assert (
        produce_one(lab_cluster.rdkafka(**{"sasl.username": user, "sasl.password": new_password}), topic)
        is None
    )

    removed = access([{"name": user, "state": "absent"}], [{**grant, "state": "absent"}])
    assert f"user {user}: disable" in removed.output
    assert f"remove allow describe, write on topic {topic}" in removed.output
    assert metadata_error(lab_cluster.rdkafka(**{"sasl.username": user, "sasl.password": new_password}))
    admin.delete_topics([topic])[topic].result(timeout=60)
