"""infra/wait_for_ssm.py (defect 2): bounded wait for the SSM agents, against botocore's Stubber,
which checks every request and response against the real ssm service model."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import boto3
import pytest
import yaml
from botocore.stub import Stubber
from kafkakit_aws.inventory import ClusterVars, Connection, HostFacts, build_inventory

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "infra"))
import wait_for_ssm


def inventory(kind: str = "ssm") -> dict:
    hosts = [
        HostFacts(
            name=f"kafka-{i}",
            groups=("kafka_broker", "kafka_controller"),
            zone="eu-west-1a",
            zone_id="euw1-az1",
            node_id=i,
            zookeeper_myid=None,
            instance_id=f"i-0{i:016x}",
            private_ip=f"10.42.0.{10 + i}",
            data_volume_id=f"vol-0{i:016x}",
            dns_name=f"kafka-{i}.k.internal",
        )
        for i in (1, 2, 3)
    ]
    connection = Connection(kind, "eu-west-1", "bucket", "https://s3.eu-west-1.amazonaws.com")
    return build_inventory(cluster=ClusterVars("kraft", "4.4.0"), connection=connection, hosts=hosts)


IDS = [f"i-0{i:016x}" for i in (1, 2, 3)]


def info(instance_id: str, status: str = "Online") -> dict:
    return {"InstanceId": instance_id, "PingStatus": status}


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def ssm():
    client = boto3.client("ssm", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def expect(stubber, infos: list[dict]) -> None:
    stubber.add_response(
        "describe_instance_information",
        {"InstanceInformationList": infos},
        {"Filters": [{"Key": "InstanceIds", "Values": IDS}]},
    )


def test_targets_are_the_inventorys_ssm_instances():
    region, targets = wait_for_ssm.ssm_targets(inventory())
    assert region == "eu-west-1"
    assert targets == {"kafka-1": IDS[0], "kafka-2": IDS[1], "kafka-3": IDS[2]}
    assert wait_for_ssm.ssm_targets(inventory("ssh")) == (None, {})


def test_waits_until_every_agent_is_online(ssm):
    client, stubber = ssm
    expect(stubber, [])
    expect(stubber, [info(IDS[0]), info(IDS[1], "ConnectionLost")])
    expect(stubber, [info(i) for i in IDS])
    clock, said = FakeClock(), []
    _, targets = wait_for_ssm.ssm_targets(inventory())
    missing = wait_for_ssm.wait_online(
        client, targets, timeout=100, interval=10, clock=clock, sleep=clock.sleep, say=said.append
    )
    assert missing == {}
    assert clock.sleeps == [10, 10]
    assert said[0] == "wait_for_ssm: 0/3 online; waiting for kafka-1, kafka-2, kafka-3"
    assert said[1] == "wait_for_ssm: 1/3 online; waiting for kafka-2, kafka-3"


def test_gives_up_at_the_deadline_naming_what_is_missing(ssm):
    client, stubber = ssm
    for _ in range(4):
        expect(stubber, [info(IDS[0]), info(IDS[1], "ConnectionLost")])
    clock = FakeClock()
    _, targets = wait_for_ssm.ssm_targets(inventory())
    missing = wait_for_ssm.wait_online(
        client, targets, timeout=30, interval=10, clock=clock, sleep=clock.sleep, say=lambda _: None
    )
    assert missing == {"kafka-2": "ConnectionLost", "kafka-3": "not registered"}
    assert clock.now <= 30


def test_cli_exit_codes_and_message(ssm, tmp_path, capsys, monkeypatch):
    client, stubber = ssm
    path = tmp_path / "hosts.yml"
    path.write_text(yaml.safe_dump(inventory()))
    monkeypatch.setattr(wait_for_ssm.time, "sleep", lambda _: None)
    expect(stubber, [info(i) for i in IDS])
    assert wait_for_ssm.main(["--inventory", str(path)], client_factory=lambda region: client) == 0
    assert "all 3 nodes are online" in capsys.readouterr().out

    expect(stubber, [info(IDS[0])])
    assert (
        wait_for_ssm.main(["--inventory", str(path), "--timeout", "0"], client_factory=lambda r: client) == 1
    )
    err = capsys.readouterr().err
    assert "still does not report 2 of 3 nodes online" in err
    assert f"kafka-2 ({IDS[1]}: not registered)" in err
    assert "routes to S3 and to Systems Manager" in err

    stubber.add_client_error("describe_instance_information", "AccessDeniedException", "no ssm:Describe*")
    assert wait_for_ssm.main(["--inventory", str(path)], client_factory=lambda r: client) == 2
    assert "asking Systems Manager failed" in capsys.readouterr().err

    ssh = tmp_path / "ssh.yml"
    ssh.write_text(json.dumps(inventory("ssh")))
    assert wait_for_ssm.main(["--inventory", str(ssh)]) == 0
    assert "nothing to wait for" in capsys.readouterr().out
    assert wait_for_ssm.main(["--inventory", str(tmp_path / "missing.yml")]) == 2
