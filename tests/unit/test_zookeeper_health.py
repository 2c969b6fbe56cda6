"""The ZooKeeper health gates: zookeeper-health (four-letter words) and kafka-health's
zookeeper-brokers check, on recorded answers and on a fake member speaking the 4lw protocol."""

import importlib.util
import socket
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


zk_health = load("zookeeper_health", ROOT / "roles" / "zookeeper" / "files" / "zookeeper-health.py")
kafka_health = load("kafka_health", ROOT / "roles" / "kafka" / "files" / "kafka-health.py")

SRVR_LEADER = """Zookeeper version: 3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c, built on 2024-02-12
Latency min/avg/max: 0/0.0/0
Received: 2
Sent: 1
Connections: 1
Outstanding: 0
Zxid: 0x100000002
Mode: leader
Node count: 5
Proposal sizes last/min/max: -1/-1/-1
"""


def test_srvr_answers_are_parsed_into_fields():
    fields = zk_health.parse_srvr(SRVR_LEADER)
    assert fields["Mode"] == "leader"
    assert fields["Zxid"] == "0x100000002"


def test_a_member_without_quorum_is_not_healthy():
    with pytest.raises(zk_health.NotHealthy, match="not serving requests"):
        zk_health.parse_srvr("This ZooKeeper instance is not currently serving requests\n")


def test_a_member_that_refuses_srvr_is_not_healthy():
    with pytest.raises(zk_health.NotHealthy, match="unexpected srvr answer"):
        zk_health.parse_srvr("srvr is not executed because it is not in the whitelist.\n")


def test_one_leader_and_followers_is_healthy():
    modes = {"zk-1:2181": "follower", "zk-2:2181": "leader", "zk-3:2181": "follower"}
    assert zk_health.verdict(modes) == "ensemble healthy: leader zk-2:2181, followers zk-1:2181, zk-3:2181"


def test_a_single_member_runs_standalone():
    assert (
        zk_health.verdict({"zk-1:2181": "standalone"}) == "ensemble healthy: 1 member, zk-1:2181 standalone"
    )
    with pytest.raises(zk_health.NotHealthy, match="runs as follower, not standalone"):
        zk_health.verdict({"zk-1:2181": "follower"})


@pytest.mark.parametrize(
    ("modes", "reason"),
    [
        ({"a:1": "follower", "b:1": "follower", "c:1": "follower"}, "0 leaders (none), expected exactly one"),
        ({"a:1": "leader", "b:1": "leader", "c:1": "follower"}, "2 leaders (a:1, b:1), expected exactly one"),
        (
            {"a:1": "leader", "b:1": "observer", "c:1": "follower"},
            "neither leader nor follower: b:1 (observer)",
        ),
    ],
)
def test_anything_but_one_leader_and_followers_is_not_healthy(modes, reason):
    with pytest.raises(zk_health.NotHealthy, match=reason.replace("(", r"\(").replace(")", r"\)")):
        zk_health.verdict(modes)


@pytest.fixture
def fake_member():
    """A server answering ruok and srvr like a ZooKeeper member running alone, one word a connection."""
    server = socket.create_server(("127.0.0.1", 0))
    answers = {b"ruok": b"imok", b"srvr": SRVR_LEADER.replace("Mode: leader", "Mode: standalone").encode()}

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.sendall(answers.get(conn.recv(4), b""))

    threading.Thread(target=serve, daemon=True).start()
    yield f"127.0.0.1:{server.getsockname()[1]}"
    server.close()


def test_the_ensemble_check_speaks_the_four_letter_words(fake_member, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["zookeeper-health", "ensemble", "--servers", fake_member])
    assert zk_health.main() == 0
    assert capsys.readouterr().out == f"ensemble healthy: 1 member, {fake_member} standalone\n"


def test_an_unreachable_member_is_named(monkeypatch, capsys):
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    monkeypatch.setattr(sys, "argv", ["zookeeper-health", "ensemble", "--servers", f"127.0.0.1:{port}"])
    assert zk_health.main() == 1
    assert f"not healthy after 0s: 127.0.0.1:{port}:" in capsys.readouterr().err


CLIENT_CHATTER = (
    "Connecting to zk-1:2181/kafka\n\nWATCHER::\n\nWatchedEvent state:SyncConnected type:None path:null\n"
)


def test_the_zookeeper_clients_answer_is_found_after_its_chatter():
    assert kafka_health.zookeeper_answer(CLIENT_CHATTER + "[1, 2, 3]\n", "[") == "[1, 2, 3]"
    controller = '{"version":2,"brokerid":2,"timestamp":"1764059000000","kraftControllerEpoch":-1}'
    assert kafka_health.zookeeper_answer(CLIENT_CHATTER + controller + "\n", "{") == controller
    with pytest.raises(kafka_health.NotHealthy, match="no answer from ZooKeeper"):
        kafka_health.zookeeper_answer(CLIENT_CHATTER, "[")


def test_every_broker_registered_with_a_controller_among_them_is_healthy():
    verdict = kafka_health.registered_brokers("[1, 2, 3]", '{"version":2,"brokerid":2}', 3)
    assert verdict == "brokers healthy: 3 registered in ZooKeeper [1, 2, 3], controller 2"


def test_a_missing_broker_or_a_stray_controller_is_not_healthy():
    with pytest.raises(
        kafka_health.NotHealthy, match=r"2 brokers registered in ZooKeeper \[1, 3\], expected 3"
    ):
        kafka_health.registered_brokers("[1, 3]", '{"version":2,"brokerid":1}', 3)
    with pytest.raises(kafka_health.NotHealthy, match=r"the controller \(7\) is not among"):
        kafka_health.registered_brokers("[1, 2, 3]", '{"version":2,"brokerid":7}', 3)
