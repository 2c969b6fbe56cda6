"""The health gates (module_utils/gates.py) on what the real tools answered (tests/data/tools/), the
bounded wait on a fake clock, the four-letter words against a fake ZooKeeper member, and each check
of the kafka_gate module (plugins/modules/kafka_gate.py) with a stand-in for the tools."""

from __future__ import annotations

import json
import socket
import sys
import threading
from pathlib import Path

import module_process
import pytest
from ansible_collections.kafkakit.kafka.plugins.module_utils import gates, tool_output
from ansible_collections.kafkakit.kafka.plugins.module_utils.gates import NotHealthy
from ansible_collections.kafkakit.kafka.plugins.module_utils.tools import ToolError
from ansible_collections.kafkakit.kafka.plugins.modules import kafka_gate

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tests" / "data" / "tools"
K39, K44, ZK39 = "kafka-3.9.2-kraft", "kafka-4.4.0-kraft", "kafka-3.9.2-zookeeper"


def recorded(release: str, name: str) -> str:
    return (TOOLS / release / name).read_text()


def replication(release: str, name: str = "quorum-replication.txt") -> list[dict]:
    return tool_output.quorum_replication(recorded(release, name))


def brokers(release: str, name: str = "broker-api-versions.txt") -> dict[int, str]:
    return tool_output.registered_brokers(recorded(release, name))


def description(release: str, name: str = "topics-describe.txt") -> dict:
    return tool_output.topic_description(recorded(release, name))


def holds(verdict, *args, **kwargs) -> str:
    """The reason a gate holds."""
    with pytest.raises(NotHealthy) as held:
        verdict(*args, **kwargs)
    return str(held.value)


# --- The controller quorum ----------------------------------------------------------------------------


@pytest.mark.parametrize("release", [K39, K44])
def test_a_whole_quorum_passes(release):
    assert gates.quorum_verdict(replication(release), 3) == (
        "quorum healthy: leader 1, voters [1, 2, 3], max follower lag 0"
    )


@pytest.mark.parametrize(("release", "behind"), [(K39, "16s"), (K44, "20s")])
def test_a_stopped_voter_holds_the_quorum_gate_by_its_staleness(release, behind):
    """A stopped voter stays a voter, and its lag stays small (32, 41 records): its last catch-up,
    16 and 20 seconds behind the leader's clock, is what finds it."""
    voters = replication(release, "quorum-replication-voter-down.txt")
    assert (
        holds(gates.quorum_verdict, voters, 3) == f"voters not caught up with the leader: 3 ({behind} behind)"
    )


def test_a_stopped_voter_passes_a_looser_staleness_bound_but_is_caught_by_a_tight_lag():
    voters = replication(K44, "quorum-replication-voter-down.txt")
    assert gates.quorum_verdict(voters, 3, max_staleness_ms=30000) == (
        "quorum healthy: leader 1, voters [1, 2, 3], max follower lag 41"
    )
    assert holds(gates.quorum_verdict, voters, 3, max_lag=10, max_staleness_ms=30000) == (
        "voters not caught up with the leader: 3 (41 records behind)"
    )
    assert holds(gates.quorum_verdict, voters, 3, max_lag=10) == (
        "voters not caught up with the leader: 3 (20s behind), 3 (41 records behind)"
    )


def test_the_number_of_voters_must_be_the_clusters():
    assert holds(gates.quorum_verdict, replication(K44), 5) == "the quorum has 3 voters, expected 5"


def test_observers_are_not_voters():
    with_observer = [*replication(K44), {**replication(K44)[1], "id": 4, "status": "Observer"}]
    assert gates.quorum_verdict(with_observer, 3).startswith("quorum healthy: leader 1, voters [1, 2, 3]")


def test_a_quorum_without_a_leader_holds():
    followers = [{**voter, "status": "Follower"} for voter in replication(K39)]
    assert holds(gates.quorum_verdict, followers, 3) == "the quorum has no leader"
    assert holds(gates.active_controller, followers) == "the quorum has no leader"


@pytest.mark.parametrize("release", [K39, K44])
def test_the_active_controller_is_the_quorum_leader(release):
    assert gates.active_controller(replication(release)) == 1
    assert gates.active_controller(replication(release, "quorum-replication-voter-down.txt")) == 1


# --- Brokers --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("release", [K39, K44])
def test_every_broker_registered_passes(release):
    assert (
        gates.brokers_verdict(brokers(release), 3) == "brokers healthy: 3 registered and unfenced [1, 2, 3]"
    )
    assert gates.brokers_verdict(brokers(release), 3, node=3).startswith("brokers healthy")


@pytest.mark.parametrize("release", [K39, K44])
def test_a_broker_down_holds_the_brokers_gate(release):
    down = brokers(release, "broker-api-versions-broker-down.txt")
    assert holds(gates.brokers_verdict, down, 3) == "2 brokers registered and unfenced [1, 2], expected 3"
    assert holds(gates.brokers_verdict, down, 3, node=3) == (
        "broker 3 is not registered and unfenced yet (registered: [1, 2])"
    )
    assert (
        holds(gates.brokers_verdict, down, 3, node=1)
        == "2 brokers registered and unfenced [1, 2], expected 3"
    )


def test_more_brokers_than_expected_holds_too():
    assert (
        holds(gates.brokers_verdict, brokers(K44), 2)
        == "3 brokers registered and unfenced [1, 2, 3], expected 2"
    )


# --- Partitions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("release", "count"), [(K39, 5), (K44, 6), (ZK39, 5)])
def test_healthy_partitions_pass(release, count):
    assert gates.partitions_verdict(description(release), 2) == (
        f"partitions healthy: {count} partitions, none under-replicated, under min ISR or offline"
    )


def test_a_broker_down_leaves_partitions_under_replicated_and_under_min_isr():
    assert holds(gates.partitions_verdict, description(K39, "topics-describe-broker-down.txt"), 2) == (
        "partitions not healthy: 2 under min ISR (gate-b-0, gate-b-1); "
        "5 under-replicated (gate-b-0, gate-b-1, gate-a-0, gate-a-1, gate-a-2)"
    )
    assert holds(gates.partitions_verdict, description(K44, "topics-describe-broker-down.txt"), 2) == (
        "partitions not healthy: 2 under min ISR (gate-b-0, gate-b-1); "
        "6 under-replicated (gate-b-0, gate-b-1, compacted.orders-0, gate-a-0, gate-a-1 and 1 more)"
    )


@pytest.mark.parametrize("release", [K39, K44])
def test_two_brokers_down_leave_a_partition_offline(release):
    """3.9.2 keeps the offline partition's last ISR (2), 4.4.0 empties it: offline either way."""
    reason = holds(gates.partitions_verdict, description(release, "topics-describe-two-brokers-down.txt"), 2)
    assert reason.startswith("partitions not healthy: 1 offline (gate-b-0); ")
    assert (
        reason
        == {
            K39: "partitions not healthy: 1 offline (gate-b-0); "
            "5 under min ISR (gate-b-0, gate-b-1, gate-a-0, gate-a-1, gate-a-2); "
            "5 under-replicated (gate-b-0, gate-b-1, gate-a-0, gate-a-1, gate-a-2)",
            K44: "partitions not healthy: 1 offline (gate-b-0); "
            "6 under min ISR (gate-b-0, gate-b-1, compacted.orders-0, gate-a-0, gate-a-1 and 1 more); "
            "6 under-replicated (gate-b-0, gate-b-1, compacted.orders-0, gate-a-0, gate-a-1 and 1 more)",
        }[release]
    )


def test_a_topics_own_min_isr_wins_over_the_default():
    """ZooKeeper mode, broker 1 down: gate-b (its min ISR 1) keeps it, gate-a (its min ISR 2) does not."""
    down = description(ZK39, "topics-describe-broker-down.txt")
    for default in (1, 2):
        assert holds(gates.partitions_verdict, down, default) == (
            "partitions not healthy: 3 under min ISR (gate-a-0, gate-a-1, gate-a-2); "
            "5 under-replicated (gate-b-0, gate-b-1, gate-a-0, gate-a-1, gate-a-2)"
        )


def test_a_min_isr_above_the_replicas_asks_only_for_every_replica():
    single = {
        "topics": {"solo": {"partitions": 1, "replication_factor": 1, "configs": {}}},
        "partitions": [{"topic": "solo", "partition": 0, "leader": 1, "replicas": [1], "isr": [1]}],
    }
    assert gates.partitions_verdict(single, 2).startswith("partitions healthy: 1 partitions")


# --- Safe to stop ------------------------------------------------------------------------------------


def test_stopping_a_broker_that_would_take_a_partition_below_its_min_isr_holds():
    """gate-b has 2 replicas and min ISR 2 (a topic the contract refuses): no broker of it may stop."""
    assert holds(gates.safe_to_stop_verdict, description(K39), 3, 2) == (
        "stopping broker 3 would take partitions below min ISR: gate-b-0 (ISR [2, 3], min 2), "
        "gate-b-1 (ISR [1, 3], min 2)"
    )
    assert holds(gates.safe_to_stop_verdict, description(K44), 1, 2) == (
        "stopping broker 1 would take partitions below min ISR: gate-b-1 (ISR [1, 3], min 2)"
    )


def test_a_topics_own_min_isr_decides_whether_its_broker_may_stop():
    """ZooKeeper mode, 2 replicas each: gate-b (min ISR 1) lets broker 1 stop, gate-a (min ISR 2) does
    not, whatever the default."""
    for default in (1, 2):
        assert holds(gates.safe_to_stop_verdict, description(ZK39), 1, default) == (
            "stopping broker 1 would take partitions below min ISR: gate-a-0 (ISR [1, 2], min 2), "
            "gate-a-1 (ISR [1, 2], min 2), gate-a-2 (ISR [1, 2], min 2)"
        )


def test_a_broker_already_out_of_every_isr_may_stop():
    down = description(K44, "topics-describe-broker-down.txt")
    assert (
        gates.safe_to_stop_verdict(down, 3, 2) == "safe to stop broker 3: every partition keeps its min ISR"
    )


def test_stopping_the_last_replica_in_sync_would_take_partitions_offline():
    down = description(K44, "topics-describe-broker-down.txt")
    assert holds(gates.safe_to_stop_verdict, down, 2, 2) == (
        "stopping broker 2 would take partitions below min ISR: gate-b-0 (would go offline), "
        "compacted.orders-0 (ISR [1, 2], min 2), gate-a-0 (ISR [1, 2], min 2), gate-a-1 (ISR [1, 2], min 2), "
        "gate-a-2 (ISR [1, 2], min 2)"
    )


def test_allow_offline_lets_the_last_broker_stop_but_not_one_below_min_isr():
    alone = description(ZK39, "topics-describe-broker-down.txt")  # broker 2 leads every partition alone
    assert holds(gates.safe_to_stop_verdict, alone, 2, 1) == (
        "stopping broker 2 would take partitions below min ISR: gate-b-0 (would go offline), "
        "gate-b-1 (would go offline), gate-a-0 (would go offline), gate-a-1 (would go offline), "
        "gate-a-2 (would go offline)"
    )
    assert gates.safe_to_stop_verdict(alone, 2, 1, allow_offline=True) == (
        "safe to stop broker 2: every partition keeps its min ISR"
    )
    down = description(K44, "topics-describe-broker-down.txt")
    assert holds(gates.safe_to_stop_verdict, down, 2, 2, allow_offline=True).endswith(
        "compacted.orders-0 (ISR [1, 2], min 2), gate-a-0 (ISR [1, 2], min 2), gate-a-1 (ISR [1, 2], min 2), "
        "gate-a-2 (ISR [1, 2], min 2)"
    )


def test_a_healthy_cluster_lets_a_broker_of_well_replicated_topics_stop():
    only_gate_a = description(K44)
    only_gate_a["partitions"] = [p for p in only_gate_a["partitions"] if p["topic"] != "gate-b"]
    for broker in (1, 2, 3):
        assert gates.safe_to_stop_verdict(only_gate_a, broker, 2) == (
            f"safe to stop broker {broker}: every partition keeps its min ISR"
        )


# --- ZooKeeper mode ------------------------------------------------------------------------------------


def registered(name: str) -> list[str]:
    return tool_output.zookeeper_children(recorded(ZK39, name))


CONTROLLER = tool_output.zookeeper_json(recorded(ZK39, "zookeeper-get-controller.txt"))


def test_every_broker_registered_with_a_controller_among_them_passes():
    assert gates.zookeeper_brokers_verdict(registered("zookeeper-ls-brokers-ids.txt"), CONTROLLER, 2) == (
        "brokers healthy: 2 registered in ZooKeeper [1, 2], controller 2"
    )
    chroot = registered("zookeeper-ls-brokers-ids-chroot.txt")
    assert gates.zookeeper_brokers_verdict(chroot, CONTROLLER, 2, node=1) == (
        "brokers healthy: 2 registered in ZooKeeper [1, 2], controller 2"
    )


def test_a_broker_missing_from_zookeeper_holds():
    down = registered("zookeeper-ls-brokers-ids-broker-down.txt")
    assert holds(gates.zookeeper_brokers_verdict, down, CONTROLLER, 2) == (
        "1 brokers registered in ZooKeeper [2], expected 2"
    )
    assert holds(gates.zookeeper_brokers_verdict, down, CONTROLLER, 2, node=1) == (
        "broker 1 is not registered in ZooKeeper yet (registered: [2])"
    )
    assert holds(gates.zookeeper_brokers_verdict, registered("zookeeper-ls-brokers-ids-none.txt"), {}, 2) == (
        "0 brokers registered in ZooKeeper [], expected 2"
    )


def test_a_controller_that_is_not_a_registered_broker_holds():
    assert holds(gates.zookeeper_brokers_verdict, ["1", "2", "3"], {"version": 2, "brokerid": 7}, 3) == (
        "the controller (7) is not among the registered brokers [1, 2, 3]"
    )
    assert holds(gates.zookeeper_brokers_verdict, ["1", "3"], {"brokerid": 1}, 3) == (
        "2 brokers registered in ZooKeeper [1, 3], expected 3"
    )


def test_children_that_are_not_broker_ids_are_not_counted():
    assert gates.zookeeper_brokers_verdict(["1", "2", "seqid"], {"brokerid": 1}, 2).startswith(
        "brokers healthy"
    )


def mode(name: str) -> str:
    return tool_output.zookeeper_four_letter(recorded(ZK39, name))["Mode"]


def test_one_leader_and_followers_is_healthy():
    modes = {
        "zk-1:2181": mode("zookeeper-srvr-follower.txt"),
        "zk-2:2181": mode("zookeeper-srvr-follower.txt"),
        "zk-3:2181": mode("zookeeper-srvr-leader.txt"),
    }
    assert (
        gates.ensemble_verdict(modes) == "ensemble healthy: leader zk-3:2181, followers zk-1:2181, zk-2:2181"
    )


def test_a_single_member_runs_standalone():
    assert gates.ensemble_verdict({"zk-1:2181": mode("zookeeper-srvr-standalone.txt")}) == (
        "ensemble healthy: 1 member, zk-1:2181 standalone"
    )
    assert holds(gates.ensemble_verdict, {"zk-1:2181": "follower"}) == (
        "zk-1:2181 is the only member but runs as follower, not standalone"
    )


@pytest.mark.parametrize(
    ("modes", "reason"),
    [
        ({"a:1": "follower", "b:1": "follower", "c:1": "follower"}, "0 leaders (none), expected exactly one"),
        ({"a:1": "leader", "b:1": "leader", "c:1": "follower"}, "2 leaders (a:1, b:1), expected exactly one"),
        ({"a:1": "leader", "b:1": "observer", "c:1": "follower"},
         "members neither leader nor follower: b:1 (observer)"),
        ({"a:1": "leader", "b:1": "standalone", "c:1": "follower"},
         "members neither leader nor follower: b:1 (standalone)"),
    ],
)  # fmt: skip
def test_anything_but_one_leader_and_followers_is_not_healthy(modes, reason):
    assert holds(gates.ensemble_verdict, modes) == reason


# --- Four-letter words --------------------------------------------------------------------------------


class FakeMember:
    """A ZooKeeper member on 127.0.0.1 that answers each four-letter word (one a connection) with a
    recorded answer, and remembers the words it was sent."""

    def __init__(self, answers: dict[str, str]):
        self.answers, self.words = answers, []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.server.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                word = conn.recv(4).decode()
                self.words.append(word)
                conn.sendall(self.answers.get(word, "").encode())

    def close(self):
        self.server.close()


def member(srvr: str, ruok: str = "zookeeper-ruok.txt") -> dict[str, str]:
    return {"ruok": recorded(ZK39, ruok), "srvr": recorded(ZK39, srvr)}


@pytest.fixture
def members():
    started = []

    def start(answers):
        started.append(FakeMember(answers))
        return started[-1]

    yield start
    for fake in started:
        fake.close()


def test_a_four_letter_word_gets_the_members_whole_answer(members):
    fake = members(member("zookeeper-srvr-leader.txt"))
    assert gates.four_letter_word(fake.address, "srvr") == recorded(ZK39, "zookeeper-srvr-leader.txt")
    assert gates.four_letter_word(fake.address, "ruok") == "imok"
    assert fake.words == ["srvr", "ruok"]


def test_a_member_that_is_not_there_is_an_os_error():
    closed = socket.create_server(("127.0.0.1", 0))
    address = f"127.0.0.1:{closed.getsockname()[1]}"
    closed.close()
    with pytest.raises(ConnectionRefusedError):
        gates.four_letter_word(address, "ruok", timeout=2)


# --- The bounded wait -----------------------------------------------------------------------------------


class FakeClock:
    def __init__(self):
        self.now, self.slept = 0.0, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def checks(*outcomes):
    """A check that raises or returns each of `outcomes` in turn (the last one for ever)."""
    remaining = list(outcomes)

    def check():
        outcome = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return check


def test_a_gate_that_passes_at_once_is_checked_once():
    clock = FakeClock()
    assert gates.wait(checks("fine"), 60, 3, sleep=clock.sleep, clock=clock) == (True, "fine", 1)
    assert clock.slept == []


def test_a_gate_is_checked_again_after_each_interval_until_it_passes():
    clock = FakeClock()
    check = checks(NotHealthy("not yet"), ToolError("TopicCommand failed: boom"), "fine")
    assert gates.wait(check, 60, 3, sleep=clock.sleep, clock=clock) == (True, "fine", 3)
    assert clock.slept == [3, 3]


def test_a_gate_that_never_passes_fails_with_the_last_reason_within_its_timeout():
    clock = FakeClock()
    check = checks(
        tool_output.ToolOutputError("no table"),
        OSError("refused"),
        ValueError("odd"),
        NotHealthy("still down"),
    )
    assert gates.wait(check, 10, 3, sleep=clock.sleep, clock=clock) == (False, "still down", 4)
    assert clock.slept == [3, 3, 3]
    assert clock.now == 9


def test_a_timeout_of_zero_checks_once():
    clock = FakeClock()
    assert gates.wait(checks(NotHealthy("down")), 0, 3, sleep=clock.sleep, clock=clock) == (False, "down", 1)
    assert clock.slept == []


def test_a_bug_in_a_check_is_not_taken_for_a_gate_that_holds():
    clock = FakeClock()
    with pytest.raises(KeyError):
        gates.wait(checks(KeyError("brokerid")), 60, 3, sleep=clock.sleep, clock=clock)


# --- The kafka_gate module's checks, with a stand-in for the tools -----------------------------------------


class FakeTools:
    """Answers `run(tool, ...)` with recorded stdouts by tool (a list is answered in turn, the last one
    for ever; an exception is raised) and `zookeeper(connect, command, path)` with recorded
    (exit code, stdout, stderr) by path; remembers every call."""

    def __init__(self, release: str, run: dict | None = None, zookeeper: dict | None = None):
        self.release, self.answers, self.znodes, self.calls = release, run or {}, zookeeper or {}, []

    def run(self, tool: str, *args: str, admin: bool = True) -> str:
        self.calls.append((tool, *args))
        answers = self.answers[tool]
        answer = (
            (answers.pop(0) if len(answers) > 1 else answers[0]) if isinstance(answers, list) else answers
        )
        if isinstance(answer, Exception):
            raise answer
        return recorded(self.release, answer)

    def zookeeper(self, connect: str, command: str, path: str, *data: str) -> tuple[int, str, str]:
        self.calls.append(("ZooKeeperMain", connect, command, path))
        code, name = self.znodes[path]
        stderr = TOOLS / self.release / name.replace(".txt", ".stderr.txt")
        return code, recorded(self.release, name), stderr.read_text() if stderr.exists() else ""


PARAMS = {
    "bootstrap_server": "kafka-1:9092,kafka-2:9092,kafka-3:9092",
    "bootstrap_controller": "kafka-1:9093,kafka-2:9093,kafka-3:9093",
    "zookeeper": "zk-1:2181,zk-2:2181,zk-3:2181/kafka",
    "servers": [],
    "voters": 3,
    "brokers": 3,
    "node": None,
    "default_min_isr": 2,
    "allow_offline": False,
    "max_lag": 1000,
    "max_staleness_ms": 10000,
}


def check_once(check: str, tools: FakeTools, **params):
    found: dict = {}
    return kafka_gate.checker({**PARAMS, "check": check, **params}, tools, found)(), found


@pytest.mark.parametrize("release", [K39, K44])
def test_the_quorum_check_asks_the_controllers_for_the_replication(release):
    tools = FakeTools(release, {"MetadataQuorumCommand": "quorum-replication.txt"})
    assert check_once("quorum", tools) == (
        "quorum healthy: leader 1, voters [1, 2, 3], max follower lag 0",
        {},
    )
    assert tools.calls == [
        (
            "MetadataQuorumCommand",
            "--bootstrap-controller",
            PARAMS["bootstrap_controller"],
            "describe",
            "--replication",
        )
    ]
    down = FakeTools(release, {"MetadataQuorumCommand": "quorum-replication-voter-down.txt"})
    with pytest.raises(NotHealthy, match=r"^voters not caught up with the leader: 3 "):
        check_once("quorum", down)


def test_the_quorum_check_refuses_a_quorum_that_gave_no_answer():
    tools = FakeTools(K39, {"MetadataQuorumCommand": "quorum-replication-no-majority.txt"})
    with pytest.raises(tool_output.ToolOutputError, match="no table with a NodeId column"):
        check_once("quorum", tools)


def test_the_active_controller_check_returns_the_leader():
    tools = FakeTools(K44, {"MetadataQuorumCommand": "quorum-replication.txt"})
    assert check_once("active_controller", tools) == ("active controller: 1", {"leader": 1})


@pytest.mark.parametrize("release", [K39, K44])
def test_the_brokers_check_reads_the_api_versions_answer(release):
    tools = FakeTools(release, {"BrokerApiVersionsCommand": "broker-api-versions.txt"})
    assert check_once("brokers", tools, node=2)[0] == "brokers healthy: 3 registered and unfenced [1, 2, 3]"
    assert tools.calls == [("BrokerApiVersionsCommand", "--bootstrap-server", PARAMS["bootstrap_server"])]
    down = FakeTools(release, {"BrokerApiVersionsCommand": "broker-api-versions-broker-down.txt"})
    with pytest.raises(
        NotHealthy, match=r"^broker 3 is not registered and unfenced yet \(registered: \[1, 2\]\)$"
    ):
        check_once("brokers", down, node=3)


@pytest.mark.parametrize("release", [K39, K44])
def test_the_partitions_check_describes_every_topic(release):
    tools = FakeTools(release, {"TopicCommand": "topics-describe.txt"})
    assert check_once("partitions", tools)[0].startswith("partitions healthy: ")
    assert tools.calls == [("TopicCommand", "--bootstrap-server", PARAMS["bootstrap_server"], "--describe")]
    offline = FakeTools(release, {"TopicCommand": "topics-describe-two-brokers-down.txt"})
    with pytest.raises(NotHealthy, match=r"^partitions not healthy: 1 offline \(gate-b-0\); "):
        check_once("partitions", offline)


def test_the_safe_to_stop_check_takes_the_node_the_default_min_isr_and_allow_offline():
    tools = FakeTools(ZK39, {"TopicCommand": "topics-describe-broker-down.txt"})
    with pytest.raises(
        NotHealthy, match=r"^stopping broker 2 would take partitions below min ISR: gate-b-0 "
    ):
        check_once("safe_to_stop", tools, node=2, default_min_isr=1)
    assert check_once("safe_to_stop", tools, node=2, default_min_isr=1, allow_offline=True)[0] == (
        "safe to stop broker 2: every partition keeps its min ISR"
    )


def test_the_zookeeper_brokers_check_reads_the_ids_and_the_controller_under_the_chroot():
    tools = FakeTools(
        ZK39,
        zookeeper={
            "/brokers/ids": (0, "zookeeper-ls-brokers-ids-chroot.txt"),
            "/controller": (0, "zookeeper-get-controller.txt"),
        },
    )
    assert check_once("zookeeper_brokers", tools, brokers=2, node=1)[0] == (
        "brokers healthy: 2 registered in ZooKeeper [1, 2], controller 2"
    )
    assert tools.calls == [
        ("ZooKeeperMain", PARAMS["zookeeper"], "ls", "/brokers/ids"),
        ("ZooKeeperMain", PARAMS["zookeeper"], "get", "/controller"),
    ]


def test_the_zookeeper_brokers_check_holds_while_a_broker_is_missing():
    tools = FakeTools(
        ZK39,
        zookeeper={
            "/brokers/ids": (0, "zookeeper-ls-brokers-ids-broker-down.txt"),
            "/controller": (0, "zookeeper-get-controller.txt"),
        },
    )
    with pytest.raises(
        NotHealthy, match=r"^broker 1 is not registered in ZooKeeper yet \(registered: \[2\]\)$"
    ):
        check_once("zookeeper_brokers", tools, brokers=2, node=1)


def test_the_zookeeper_checks_hold_while_there_is_no_controller():
    tools = FakeTools(
        ZK39,
        zookeeper={
            "/brokers/ids": (0, "zookeeper-ls-brokers-ids-none.txt"),
            "/controller": (1, "zookeeper-get-controller-missing.txt"),
        },
    )
    reason = f"/controller does not exist in ZooKeeper ({PARAMS['zookeeper']}) yet"
    for check in ("zookeeper_brokers", "zookeeper_controller"):
        with pytest.raises(NotHealthy) as held:
            check_once(check, tools, brokers=2)
        assert str(held.value) == reason


def test_the_zookeeper_checks_name_why_the_client_failed():
    tools = FakeTools(ZK39, zookeeper={"/brokers/ids": (1, "zookeeper-ls-brokers-ids-no-quorum.txt")})
    with pytest.raises(NotHealthy, match=r"^ZooKeeper client failed on /brokers/ids: Connection refused$"):
        check_once("zookeeper_brokers", tools, brokers=2)


def test_the_zookeeper_controller_check_returns_the_broker_elected():
    tools = FakeTools(ZK39, zookeeper={"/controller": (0, "zookeeper-get-controller.txt")})
    assert check_once("zookeeper_controller", tools) == ("active controller: broker 2", {"leader": 2})


def test_the_ensemble_check_asks_every_member_ruok_then_srvr(members):
    fakes = [
        members(member("zookeeper-srvr-follower.txt")),
        members(member("zookeeper-srvr-leader.txt")),
        members(member("zookeeper-srvr-follower.txt")),
    ]
    servers = [fake.address for fake in fakes]
    assert check_once("zookeeper_ensemble", FakeTools(ZK39), servers=servers)[0] == (
        f"ensemble healthy: leader {servers[1]}, followers {', '.join(sorted([servers[0], servers[2]]))}"
    )
    # The only words sent are those the members answer (zookeeper_4lw_whitelist).
    assert [fake.words for fake in fakes] == [["ruok", "srvr"]] * 3


def test_the_ensemble_check_of_a_single_member(members):
    fake = members(member("zookeeper-srvr-standalone.txt"))
    assert check_once("zookeeper_ensemble", FakeTools(ZK39), servers=[fake.address])[0] == (
        f"ensemble healthy: 1 member, {fake.address} standalone"
    )


def test_the_ensemble_check_holds_on_a_member_without_quorum(members):
    leader = members(member("zookeeper-srvr-leader.txt"))
    alone = members(member("zookeeper-srvr-no-quorum.txt", ruok="zookeeper-ruok-no-quorum.txt"))
    with pytest.raises(NotHealthy) as held:
        check_once("zookeeper_ensemble", FakeTools(ZK39), servers=[leader.address, alone.address])
    assert str(held.value) == f"{alone.address}: not serving requests (no quorum)"


def test_the_ensemble_check_holds_on_a_member_that_refuses_srvr(members):
    refusing = members({"ruok": "imok", "srvr": recorded(ZK39, "zookeeper-stat-not-whitelisted.txt")})
    with pytest.raises(NotHealthy) as held:
        check_once("zookeeper_ensemble", FakeTools(ZK39), servers=[refusing.address])
    assert str(held.value) == (
        f"{refusing.address}: unexpected srvr answer "
        "'stat is not executed because it is not in the whitelist.'"
    )


def test_the_ensemble_check_holds_on_a_member_that_does_not_answer_imok(members):
    sick = members({"ruok": "", "srvr": recorded(ZK39, "zookeeper-srvr-leader.txt")})
    with pytest.raises(NotHealthy, match="did not answer imok to ruok"):
        check_once("zookeeper_ensemble", FakeTools(ZK39), servers=[sick.address])
    assert sick.words == ["ruok"]


def test_the_ensemble_check_names_a_member_that_is_down():
    closed = socket.create_server(("127.0.0.1", 0))
    address = f"127.0.0.1:{closed.getsockname()[1]}"
    closed.close()
    with pytest.raises(NotHealthy, match=f"^{address}: .*Connection refused"):
        check_once("zookeeper_ensemble", FakeTools(ZK39), servers=[address])


def test_a_roll_waits_for_the_stopped_broker_to_come_back():
    """The gate after a broker's start: down at first, then back; the wait passes at the second check."""
    tools = FakeTools(
        K44, {"BrokerApiVersionsCommand": ["broker-api-versions-broker-down.txt", "broker-api-versions.txt"]}
    )
    clock, found = FakeClock(), {}
    check = kafka_gate.checker({**PARAMS, "check": "brokers", "node": 3}, tools, found)
    assert gates.wait(check, 60, 3, sleep=clock.sleep, clock=clock) == (
        True,
        "brokers healthy: 3 registered and unfenced [1, 2, 3]",
        2,
    )


def test_a_tool_failure_holds_the_gate_with_its_reason():
    failing = ToolError("TopicCommand failed: Timed out waiting for a node assignment. Call: listTopics")
    tools = FakeTools(K44, {"TopicCommand": failing})
    clock = FakeClock()
    check = kafka_gate.checker({**PARAMS, "check": "partitions"}, tools, {})
    assert gates.wait(check, 6, 3, sleep=clock.sleep, clock=clock) == (False, str(failing), 3)


def test_every_check_needs_what_it_reads():
    assert kafka_gate.REQUIRED == {
        "quorum": ["bootstrap_controller", "voters"],
        "active_controller": ["bootstrap_controller"],
        "brokers": ["bootstrap_server", "brokers"],
        "partitions": ["bootstrap_server"],
        "safe_to_stop": ["bootstrap_server", "node"],
        "zookeeper_brokers": ["zookeeper", "brokers"],
        "zookeeper_controller": ["zookeeper"],
        "zookeeper_ensemble": ["servers"],
    }


# --- The module itself, with a stand-in kafka-run-class ------------------------------------------------


def run_module(tmp_path: Path, **args) -> dict:
    """kafka_gate run as Ansible runs it, against a runner that answers as the recorded 4.4.0 cluster."""
    runner = tmp_path / "kafka-run-class"
    replication_file = TOOLS / K44 / "quorum-replication.txt"
    runner.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        "if sys.argv[1:] == ['--kafka-version']: print('4.4.0'); sys.exit(0)\n"
        "if sys.argv[1] == 'org.apache.kafka.tools.MetadataQuorumCommand':\n"
        f"    sys.stdout.write(open({str(replication_file)!r}).read()); sys.exit(0)\n"
        "print('Error: Could not find or load main class ' + sys.argv[1], file=sys.stderr); sys.exit(1)\n"
    )
    runner.chmod(0o755)
    result = module_process.run_module("kafka_gate", {"runner": str(runner), "interval": 1, **args})
    return json.loads(result.stdout)


def test_the_module_returns_the_active_controller(tmp_path):
    result = run_module(tmp_path, check="active_controller", bootstrap_controller="c:9093")
    assert (result["changed"], result["msg"], result["attempts"], result["leader"]) == (
        False,
        "active controller: 1",
        1,
        1,
    )


def test_the_module_fails_with_the_last_reason_after_its_timeout(tmp_path):
    result = run_module(tmp_path, check="partitions", bootstrap_server="b:9092", timeout=0)
    assert result["failed"] is True
    assert result["msg"] == (
        "not healthy after 0s: TopicCommand failed: Could not find or load main class "
        "org.apache.kafka.tools.TopicCommand"
    )
    assert result["attempts"] == 1


def test_the_module_refuses_a_check_without_what_it_needs(tmp_path):
    result = run_module(tmp_path, check="quorum", bootstrap_controller="c:9093")
    assert result["failed"] is True
    assert result["msg"] == "check is quorum but all of the following are missing: voters"
