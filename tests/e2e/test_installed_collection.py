"""The kit as a platform team uses it: the built collection installed into an empty collections
path, and a lab deployed with that copy's playbook from outside the checkout, with no ansible.cfg
(so no pipelining, 5 forks: Ansible's defaults). Slow (a deploy and a re-run of a lab of its
own): `make e2e-slow`."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from conftest import BIN, ROOT, LabCluster, lab_command, parse_recap

pytestmark = [pytest.mark.lab, pytest.mark.slow]

LAB = "e2e-coll"
PORT_OFFSET = 400


def _run(argv: list[str], cwd: Path, env: dict, timeout: int = 1200) -> subprocess.CompletedProcess:
    return subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict]:
    """The collection built from this checkout and installed into an empty path; the directory the
    playbooks run from, with a copy of the lab's inventory and nothing else."""
    base = tmp_path_factory.mktemp("collection")
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env["ANSIBLE_COLLECTIONS_PATH"] = str(base / "collections")
    built = _run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(base), str(ROOT)],
                 cwd=base, env=env)  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    tarball = next(base.glob("kafkakit-kafka-*.tar.gz"))
    install = _run([str(BIN / "ansible-galaxy"), "collection", "install", "--no-deps", "--force",
                    "-p", str(base / "collections"), str(tarball)], cwd=base, env=env)  # fmt: skip
    assert install.returncode == 0, install.stdout + install.stderr
    assert (base / "collections" / "ansible_collections" / "kafkakit" / "kafka" / "playbooks").is_dir()
    return base, env


@pytest.fixture(scope="module")
def outside_lab(installed):
    base, env = installed
    lab_command("down", lab=LAB)
    lab_command("up", "--port-offset", str(PORT_OFFSET), lab=LAB)
    work = base / "work"
    (work / "inventory").mkdir(parents=True)
    inventory = Path(lab_command("inventory", lab=LAB))
    shutil.copy(inventory, work / "inventory" / "hosts.yml")
    shutil.copytree(inventory.parent / "group_vars", work / "inventory" / "group_vars")
    yield work, env
    if os.environ.get("KAFKAKIT_KEEP_LAB") != "1":
        lab_command("down", lab=LAB)


def _playbook(work: Path, env: dict, name: str):
    result = _run([str(BIN / "ansible-playbook"), "-i", "inventory/hosts.yml", f"kafkakit.kafka.{name}"],
                  cwd=work, env=env)  # fmt: skip
    output = result.stdout + result.stderr
    return result.returncode, output, parse_recap(output)


def test_the_installed_collection_deploys_the_lab_from_outside_the_checkout(outside_lab):
    work, env = outside_lab
    assert not (work / "ansible.cfg").exists() and ROOT not in work.parents
    returncode, output, recap = _playbook(work, env, "deploy")
    assert returncode == 0, output[-6000:]
    assert str(ROOT) + "/roles" not in output and str(ROOT) + "/playbooks" not in output
    assert {"kafka-1", "kafka-2", "kafka-3", "monitoring-1"} <= set(recap), output[-2000:]

    returncode, output, recap = _playbook(work, env, "deploy")
    assert returncode == 0, output[-6000:]
    assert {host: r["changed"] for host, r in recap.items() if r["changed"]} == {}

    # Publish-subscribe over the secure default, with the credentials the lab wrote.
    bootstrap = lab_command("bootstrap", lab=LAB).splitlines()[-1].split("=", 1)[1]
    cluster = LabCluster(name=LAB, inventory=work / "inventory" / "hosts.yml", bootstrap_servers=bootstrap,
                         hosts=[], first_deploy=None)  # fmt: skip
    topic = f"installed-{uuid.uuid4().hex[:8]}"
    admin = AdminClient(cluster.rdkafka())  # kept: the futures die with their client
    admin.create_topics([NewTopic(topic, 3, 3)])[topic].result(60)
    producer = Producer(cluster.rdkafka(**{"acks": "all"}))
    for number in range(200):
        producer.produce(topic, str(number).encode())
    assert producer.flush(60) == 0
    for group in ("billing", "analytics"):
        consumer = Consumer(cluster.rdkafka(**{"group.id": group, "auto.offset.reset": "earliest"}))
        consumer.subscribe([topic])
        seen, deadline = set(), time.monotonic() + 120
        while len(seen) < 200 and time.monotonic() < deadline:
            for message in consumer.consume(500, timeout=1):
                if not message.error():
                    seen.add(int(message.value()))
        consumer.close()
        assert seen == set(range(200)), (group, len(seen))
