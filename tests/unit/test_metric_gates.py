"""The metric gates (module_utils/gates.py, metrics_*) held against their tool counterparts.

tests/data/gates/ has whole lab clusters recorded both ways at the same moment by
scripts/record_gate_data.py: the tools' outputs and a scrape of every node's JMX exporter taken while
the tools ran (and checked against a second scrape after them). On each recording, every gate passes
or holds alike both ways, with the same figures where both give them. Then the verdicts' finer
points on edited scrapes, the scrapes over real HTTP, and the kafka_gate module's metric checks, in
process and as Ansible runs it.
"""

from __future__ import annotations

import copy
import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import module_process
import pytest
from ansible_collections.kafkakit.kafka.plugins.module_utils import gates, tool_output
from ansible_collections.kafkakit.kafka.plugins.module_utils.gates import NotHealthy
from ansible_collections.kafkakit.kafka.plugins.modules import kafka_gate

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "tests" / "data" / "gates"
RECORDINGS = sorted(path.parent for path in RECORDED.glob("*/*/state.json"))
COMBINED = RECORDED / "kafka-4.4.0-kraft-combined"


class Recording:
    """One recorded state of a lab cluster: the tools' outputs and every exporter's scrape."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.state = json.loads((directory / "state.json").read_text())
        self.kraft = self.state["mode"] == "kraft"
        self.scrapes: dict[str, gates.Scrape] = {}
        for path in sorted((directory / "metrics").glob("*.txt")):
            host = path.name.split(".")[0]
            address = {**self.state["brokers"], **self.state["controllers"]}[host]
            if path.name.endswith(".error.txt"):
                self.scrapes[address] = path.read_text().strip()
            else:
                self.scrapes[address] = tool_output.prometheus_metrics(path.read_text())
        self.brokers = {a: self.scrapes[a] for a in self.state["brokers"].values()}
        # ZooKeeper mode: the controller is one of the brokers.
        self.controllers = {a: self.scrapes[a] for a in self.state["controllers"].values()} or self.brokers

    def tool(self, name: str) -> str:
        return (self.directory / f"{name}.txt").read_text()

    @property
    def name(self) -> str:
        return f"{self.directory.parent.name}/{self.directory.name}"

    @property
    def stopped_is_voter(self) -> bool:
        host = self.state["state"].split(" ", 1)[0]
        return host in self.state["controllers"]

    @property
    def stopped(self) -> int | None:
        """The node id of the broker the state stopped (node ids are the lab hosts' numbers)."""
        found = re.match(r"\S+-(\d+) ", self.state["state"])
        return int(found.group(1)) if found else None


def recording(path: Path) -> Recording:
    return Recording(path)


def outcome(check) -> tuple[bool, str]:
    """(passed, the verdict or the reason it held)."""
    try:
        return True, check()
    except NotHealthy as held:
        return False, str(held)


def holds(check) -> str:
    passed, reason = outcome(check)
    assert not passed, reason
    return reason


def answering(scrapes: dict) -> dict:
    return {a: s for a, s in scrapes.items() if not isinstance(s, str)}


def total(scrapes: dict, name: str) -> float:
    return sum(gates.metric(s, name) for s in answering(scrapes).values())


# --- The recordings ------------------------------------------------------------------------------------


def test_the_recordings_are_here():
    states = {r.name for r in map(recording, RECORDINGS)}
    assert states == {
        *(f"kafka-4.4.0-kraft-combined/{s}" for s in ("healthy", "broker-down", "broker-back")),
        *(f"kafka-3.9.2-zookeeper/{s}" for s in ("healthy", "broker-down", "broker-back")),
        *(f"kafka-4.4.0-kraft-dedicated/{s}" for s in ("healthy", "broker-down")),
    }
    for path in RECORDINGS:
        state = recording(path).state
        assert all(tool["exit"] == 0 for tool in state["tools"].values()), path
        # The scrape was taken while the tools were at work.
        assert state["seconds"]["scrape_during_tools"] <= state["seconds"]["tools_took"], path


def test_a_stopped_broker_is_a_silent_exporter_in_the_recording():
    down = recording(COMBINED / "broker-down")
    assert down.stopped == 3
    assert down.scrapes["kafka-3:7071"] == "[Errno 111] Connection refused"
    assert len(answering(down.scrapes)) == 2


# --- Each gate both ways, on every recording --------------------------------------------------------------


@pytest.mark.parametrize("path", [p for p in RECORDINGS if recording(p).kraft], ids=lambda p: p.name)
def test_the_quorum_gate_gives_the_tools_verdict(path):
    r = recording(path)
    voters = len(r.controllers)
    tools = outcome(
        lambda: gates.quorum_verdict(tool_output.quorum_replication(r.tool("quorum-replication")), voters)
    )
    metrics = outcome(lambda: gates.metrics_quorum_verdict(r.controllers, voters))
    assert tools[0] == metrics[0], (tools, metrics)
    if tools[0]:
        assert re.match(r"quorum healthy: leader (\d+),", tools[1]).group(1) == re.match(
            r"quorum healthy: leader (\d+),", metrics[1]
        ).group(1)


@pytest.mark.parametrize("path", [p for p in RECORDINGS if recording(p).kraft], ids=lambda p: p.name)
def test_the_active_controller_is_the_tools_one(path):
    r = recording(path)
    replication = tool_output.quorum_replication(r.tool("quorum-replication"))
    assert gates.metrics_active_controller(r.controllers) == gates.active_controller(replication)


@pytest.mark.parametrize("path", [p for p in RECORDINGS if recording(p).kraft], ids=lambda p: p.name)
def test_the_brokers_gate_gives_the_tools_verdict(path):
    r = recording(path)
    expected, node = len(r.brokers), r.stopped or 1
    registered = tool_output.registered_brokers(r.tool("broker-api-versions"))
    tools = outcome(lambda: gates.brokers_verdict(registered, expected, node))
    metrics = outcome(lambda: gates.metrics_brokers_verdict(r.brokers, r.controllers, expected))
    assert tools[0] == metrics[0], (tools, metrics)


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.name)
def test_the_partitions_gate_gives_the_tools_verdict_and_figures(path):
    """Healthy: the same line both ways. Degraded: the partitions the tools find offline, and those
    with a leader that they find under-replicated and under min ISR, are the active controller's
    OfflinePartitionsCount and the sums over the brokers that answer (a broker counts only the
    partitions it leads, so a partition without a leader is counted as offline only)."""
    r = recording(path)
    description = tool_output.topic_description(r.tool("topics-describe"))
    tools = outcome(lambda: gates.partitions_verdict(description, 2))
    metrics = outcome(lambda: gates.metrics_partitions_verdict(r.brokers, r.controllers))
    assert tools[0] == metrics[0], (tools, metrics)
    if tools[0]:
        assert tools[1] == metrics[1]
    if r.directory.name != "broker-down":
        return
    led = [p for p in description["partitions"] if p["leader"] is not None]
    min_isr = {
        p["topic"]: min(gates._min_isr(description, p["topic"], 2), len(p["replicas"]))
        for p in description["partitions"]
    }
    tool_figures = {
        "offline": len(description["partitions"]) - len(led),
        "under-replicated": sum(len(p["isr"]) < len(p["replicas"]) for p in led),
        "under min ISR": sum(len(p["isr"]) < min_isr[p["topic"]] for p in led),
    }
    (active,) = [
        s
        for s in answering(r.controllers).values()
        if gates.metric(s, "kafka_controller_kafkacontroller_activecontrollercount") == 1
    ]
    metric_figures = {
        "offline": gates.metric(active, "kafka_controller_kafkacontroller_offlinepartitionscount"),
        "under-replicated": total(r.brokers, "kafka_server_replicamanager_underreplicatedpartitions"),
        "under min ISR": total(r.brokers, "kafka_server_replicamanager_underminisrpartitioncount"),
    }
    assert metric_figures == tool_figures
    assert all(tool_figures.values()), tool_figures


@pytest.mark.parametrize("path", [p for p in RECORDINGS if p.name != "healthy"], ids=lambda p: p.name)
def test_a_degraded_cluster_holds_the_metric_gates_by_what_the_answering_exporters_say_too(path):
    """Not only because an exporter is silent: the nodes that answer tell the same story."""
    r = recording(path)
    brokers, controllers = answering(r.brokers), answering(r.controllers)
    holds(lambda: gates.metrics_partitions_verdict(brokers, controllers))
    if r.kraft:
        holds(lambda: gates.metrics_brokers_verdict(brokers, controllers, len(r.brokers)))
    if r.kraft and r.stopped_is_voter:
        holds(lambda: gates.metrics_quorum_verdict(controllers, len(r.controllers)))


def test_a_broker_down_that_is_no_voter_leaves_the_quorum_whole_both_ways():
    r = recording(RECORDED / "kafka-4.4.0-kraft-dedicated" / "broker-down")
    assert not r.stopped_is_voter
    replication = tool_output.quorum_replication(r.tool("quorum-replication"))
    assert gates.quorum_verdict(replication, 3).startswith(
        "quorum healthy: leader 1003, voters [1001, 1002, 1003]"
    )
    assert gates.metrics_quorum_verdict(r.controllers, 3).startswith(
        "quorum healthy: leader 1003, voters [controller-1:7071, controller-2:7071, controller-3:7071]"
    )


def test_the_healthy_recording_passes_every_metric_gate_with_the_tools_figures():
    r = recording(COMBINED / "healthy")
    assert gates.metrics_quorum_verdict(r.controllers, 3).startswith(
        "quorum healthy: leader 2, voters [kafka-1:7071, kafka-2:7071, kafka-3:7071], max follower lag "
    )
    assert gates.metrics_brokers_verdict(r.brokers, r.controllers, 3) == (
        "brokers healthy: 3 registered and unfenced, each running (active controller kafka-2:7071)"
    )
    assert gates.metrics_partitions_verdict(r.brokers, r.controllers) == (
        "partitions healthy: 80 partitions, none under-replicated, under min ISR or offline"
    )
    assert gates.exporters_verdict(r.scrapes) == (
        "every exporter answers: kafka-1:7071, kafka-2:7071, kafka-3:7071"
    )


def test_the_stopped_broker_holds_each_metric_gate_and_says_why():
    r = recording(COMBINED / "broker-down")
    refused = "kafka-3:7071 ([Errno 111] Connection refused)"
    assert holds(lambda: gates.metrics_quorum_verdict(r.controllers, 3)) == (
        f"exporters of the voters do not answer: {refused}"
    )
    assert holds(lambda: gates.metrics_brokers_verdict(r.brokers, r.controllers, 3)) == (
        f"exporters of the brokers do not answer: {refused}"
    )
    assert holds(lambda: gates.metrics_partitions_verdict(r.brokers, r.controllers)) == (
        f"partitions not healthy: exporters do not answer: {refused}; from those that answer: "
        "1 offline, 2 under min ISR, 76 under-replicated"
    )
    others = answering(r.controllers)
    assert holds(lambda: gates.metrics_brokers_verdict(others, others, 3)) == (
        "2 brokers registered and unfenced (1 fenced), expected 3 (active controller kafka-2:7071)"
    )
    assert holds(lambda: gates.metrics_quorum_verdict(others, 3)) == (
        "the quorum has 3 voters (2 exporters read), expected 3"
    )
    assert (
        holds(lambda: gates.exporters_verdict(r.scrapes))
        == f"exporters of the nodes do not answer: {refused}"
    )


def test_an_exporter_that_answers_before_its_broker_has_started_is_not_a_healthy_node():
    """The agent serves from the JVM's first second, before Kafka registers its beans."""
    r = recording(COMBINED / "broker-back")
    back = r.scrapes["kafka-3:7071"]
    assert "kafka_server_replicamanager_underreplicatedpartitions" not in back
    assert holds(lambda: gates.metrics_quorum_verdict(r.controllers, 3)) == (
        "voters that report no raft state yet: kafka-3:7071"
    )
    assert holds(lambda: gates.metrics_brokers_verdict(r.brokers, r.controllers, 3)) == (
        "brokers not running yet: kafka-3:7071 (NOT_RUNNING)"
    )
    assert holds(lambda: gates.metrics_partitions_verdict(r.brokers, r.controllers)).startswith(
        "partitions not healthy: kafka-3:7071 does not report "
        "kafka_server_replicamanager_underreplicatedpartitions yet; "
    )


# --- The verdicts' finer points, on edited scrapes of the healthy cluster -------------------------------


def healthy() -> Recording:
    return recording(COMBINED / "healthy")


def set_metric(samples: dict, name: str, value: float, **labels: str) -> None:
    samples[name] = [(labels, value)]


def test_a_voter_that_stops_following_holds_the_quorum():
    r = healthy()
    scrapes = copy.deepcopy(r.controllers)
    set_metric(scrapes["kafka-3:7071"], "kafka_server_raftmetrics_current_state", 1, state="prospective")
    assert holds(lambda: gates.metrics_quorum_verdict(scrapes, 3)) == (
        "voters neither leader nor follower: kafka-3:7071 (prospective)"
    )


def test_a_broker_is_no_voter():
    r = healthy()
    scrapes = copy.deepcopy(r.controllers)
    set_metric(scrapes["kafka-1:7071"], "kafka_server_raftmetrics_current_state", 1, state="observer")
    assert holds(lambda: gates.metrics_quorum_verdict(scrapes, 3)) == (
        "voters neither leader nor follower: kafka-1:7071 (observer)"
    )


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        ({"kafka-1:7071": ("kafka_server_raftmetrics_current_state", "leader")}, "2 voters lead the quorum"),
        (
            {"kafka-2:7071": ("kafka_server_raftmetrics_current_state", "follower")},
            "the quorum has no leader",
        ),
    ],
)
def test_one_leader_exactly(edit, reason):
    scrapes = copy.deepcopy(healthy().controllers)
    for address, (name, state) in edit.items():
        set_metric(scrapes[address], name, 1, state=state)
    assert holds(lambda: gates.metrics_quorum_verdict(scrapes, 3)).startswith(reason)


def test_a_follower_of_another_leader_or_epoch_holds_the_quorum():
    scrapes = copy.deepcopy(healthy().controllers)
    set_metric(scrapes["kafka-1:7071"], "kafka_server_raftmetrics_current_epoch", 7)
    assert holds(lambda: gates.metrics_quorum_verdict(scrapes, 3)).startswith(
        "voters that follow another leader than 2 in epoch 1: kafka-1:7071 (leader 2, epoch 7)"
    )


def test_a_lagging_voter_holds_the_quorum_beyond_max_lag_only():
    scrapes = copy.deepcopy(healthy().controllers)
    end = gates.metric(scrapes["kafka-2:7071"], "kafka_server_raftmetrics_log_end_offset")
    set_metric(scrapes["kafka-3:7071"], "kafka_server_raftmetrics_log_end_offset", end - 1500)
    assert holds(lambda: gates.metrics_quorum_verdict(scrapes, 3)) == (
        "voters not caught up with the leader: kafka-3:7071 (1500 records behind)"
    )
    assert gates.metrics_quorum_verdict(scrapes, 3, max_lag=2000).endswith("max follower lag 1500")


def test_a_voter_that_knows_no_high_watermark_is_not_caught_up():
    scrapes = copy.deepcopy(healthy().controllers)
    set_metric(scrapes["kafka-1:7071"], "kafka_server_raftmetrics_high_watermark", -1)
    assert holds(lambda: gates.metrics_quorum_verdict(scrapes, 3)).startswith(
        "voters not caught up with the leader: kafka-1:7071 (high watermark -1, the leader's "
    )


def test_the_quorum_must_have_the_clusters_voters():
    r = healthy()
    assert holds(lambda: gates.metrics_quorum_verdict(r.controllers, 5)) == (
        "the quorum has 3 voters (3 exporters read), expected 5"
    )


def test_a_broker_that_is_not_running_yet_holds_the_brokers_gate():
    scrapes = copy.deepcopy(healthy().brokers)
    set_metric(scrapes["kafka-1:7071"], "kafka_server_kafkaserver_brokerstate", 2)
    assert holds(lambda: gates.metrics_brokers_verdict(scrapes, scrapes, 3)) == (
        "brokers not running yet: kafka-1:7071 (RECOVERY)"
    )


def test_the_brokers_are_counted_by_the_active_controller_only():
    scrapes = copy.deepcopy(healthy().brokers)
    # A standby's count is not the cluster's.
    set_metric(scrapes["kafka-1:7071"], "kafka_controller_kafkacontroller_activebrokercount", 2)
    assert gates.metrics_brokers_verdict(scrapes, scrapes, 3).startswith("brokers healthy: ")
    set_metric(scrapes["kafka-2:7071"], "kafka_controller_kafkacontroller_activebrokercount", 2)
    set_metric(scrapes["kafka-2:7071"], "kafka_controller_kafkacontroller_fencedbrokercount", 1)
    assert holds(lambda: gates.metrics_brokers_verdict(scrapes, scrapes, 3)) == (
        "2 brokers registered and unfenced (1 fenced), expected 3 (active controller kafka-2:7071)"
    )


@pytest.mark.parametrize("active", [[], ["kafka-1:7071", "kafka-2:7071"]])
def test_the_cluster_counts_need_exactly_one_active_controller(active):
    scrapes = copy.deepcopy(healthy().brokers)
    for address, samples in scrapes.items():
        set_metric(samples, "kafka_controller_kafkacontroller_activecontrollercount", int(address in active))
    reason = f"{len(active)} active controllers among {sorted(scrapes)}, expected exactly one"
    assert holds(lambda: gates.metrics_brokers_verdict(scrapes, scrapes, 3)) == reason
    assert (
        holds(lambda: gates.metrics_partitions_verdict(scrapes, scrapes))
        == f"partitions not healthy: {reason}"
    )


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("kafka_server_replicamanager_underreplicatedpartitions", 4, "4 under-replicated"),
        ("kafka_server_replicamanager_underminisrpartitioncount", 1, "1 under min ISR"),
    ],
)
def test_any_brokers_count_holds_the_partitions_gate(name, value, reason):
    scrapes = copy.deepcopy(healthy().brokers)
    set_metric(scrapes["kafka-3:7071"], name, value)
    assert (
        holds(lambda: gates.metrics_partitions_verdict(scrapes, scrapes))
        == f"partitions not healthy: {reason}"
    )


def test_offline_partitions_are_the_active_controllers_count():
    scrapes = copy.deepcopy(healthy().brokers)
    set_metric(scrapes["kafka-2:7071"], "kafka_controller_kafkacontroller_offlinepartitionscount", 2)
    assert (
        holds(lambda: gates.metrics_partitions_verdict(scrapes, scrapes))
        == "partitions not healthy: 2 offline"
    )


@pytest.mark.parametrize("value", [None, float("nan")])
def test_a_missing_or_unknown_count_is_not_zero(value):
    scrapes = copy.deepcopy(healthy().brokers)
    if value is None:
        del scrapes["kafka-1:7071"]["kafka_server_replicamanager_underreplicatedpartitions"]
    else:
        set_metric(scrapes["kafka-1:7071"], "kafka_server_replicamanager_underreplicatedpartitions", value)
    assert holds(lambda: gates.metrics_partitions_verdict(scrapes, scrapes)) == (
        "partitions not healthy: kafka-1:7071 does not report "
        "kafka_server_replicamanager_underreplicatedpartitions yet"
    )


def test_a_silent_exporter_is_never_read_as_zero():
    scrapes = {**healthy().brokers, "kafka-4:7071": "timed out"}
    for verdict in (
        lambda: gates.metrics_partitions_verdict(scrapes, scrapes),
        lambda: gates.metrics_brokers_verdict(scrapes, scrapes, 3),
        lambda: gates.metrics_quorum_verdict(scrapes, 3),
        lambda: gates.exporters_verdict(scrapes),
    ):
        assert "kafka-4:7071 (timed out)" in holds(verdict)


def test_no_exporter_to_read_holds():
    assert holds(lambda: gates.metrics_quorum_verdict({}, 3)) == "no exporter of the voters to read"
    assert holds(lambda: gates.metrics_active_controller({"a:1": "refused"})) == (
        "no voter reports its raft state: a:1"
    )


def test_the_active_controller_is_read_from_the_controllers_that_answer():
    """As the tools ask any controller: a follower down does not hide the leader."""
    assert gates.metrics_active_controller(recording(COMBINED / "broker-down").controllers) == 2


# --- Scrapes over HTTP ----------------------------------------------------------------------------------


class Exporter(BaseHTTPRequestHandler):
    """Serves /metrics with the server's `body` (a recorded scrape)."""

    def do_GET(self):  # http.server's name for it
        status, body = (200, self.server.body) if self.path == "/metrics" else (404, "")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def exporters():
    """Start fake exporters on 127.0.0.1: exporter(body) -> host:port."""
    servers = []

    def start(body: str) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), Exporter)
        server.body = body
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def closed_port() -> str:
    closed = socket.create_server(("127.0.0.1", 0))
    address = f"127.0.0.1:{closed.getsockname()[1]}"
    closed.close()
    return address


def test_every_exporter_is_scraped_at_once_and_one_that_fails_says_why(exporters, monkeypatch):
    # The exporters are read directly: an HTTP proxy of the environment is not used.
    monkeypatch.setenv("http_proxy", f"http://{closed_port()}")
    text = (COMBINED / "healthy" / "metrics" / "kafka-1.txt").read_text()
    good, html, closed = exporters(text), exporters("<html>Grafana</html>"), closed_port()
    found = gates.scrape_all([good, html, closed, good])
    assert sorted(found) == sorted({good, html, closed})
    # (as text: NaN is not equal to itself)
    assert repr(found[good]) == repr(tool_output.prometheus_metrics(text))
    assert found[html] == "not a metric sample: '<html>Grafana</html>'"
    assert found[closed] == "[Errno 111] Connection refused"
    assert gates.scrape_all([]) == {}


def test_an_exporter_without_a_metrics_page_says_so(exporters):
    address = exporters("x 1")
    assert gates.scrape(address) == {"x": [({}, 1.0)]}
    with pytest.raises(OSError, match="Not Found"):
        gates._NO_PROXY.open(f"http://{address}/nothing", timeout=5)


# --- The kafka_gate module's metric checks ----------------------------------------------------------------


METRIC_PARAMS = {
    "check": "partitions",
    "source": "metrics",
    "exporters": ["kafka-1:7071", "kafka-2:7071", "kafka-3:7071"],
    "controller_exporters": None,
    "voters": 3,
    "brokers": 3,
    "max_lag": 1000,
    "scrape_timeout": 5,
}


def fake_scrapes(r: Recording):
    """A stand-in for gates.scrape_all that answers from a recording; remembers every call."""
    calls = []

    def scrape_all(addresses, timeout):
        calls.append(sorted(set(addresses)))
        return {a: r.scrapes[a] for a in addresses}

    scrape_all.calls = calls
    return scrape_all


@pytest.mark.parametrize(
    ("check", "verdict", "found"),
    [
        ("quorum", "quorum healthy: leader 2, voters [kafka-1:7071, kafka-2:7071, kafka-3:7071], ", {}),
        ("active_controller", "active controller: 2", {"leader": 2}),
        ("brokers", "brokers healthy: 3 registered and unfenced, each running", {}),
        ("partitions", "partitions healthy: 80 partitions, none under-replicated", {}),
        ("exporters", "every exporter answers: kafka-1:7071", {"silent": []}),
    ],
)
def test_each_metric_check_reads_the_exporters_once_per_attempt(check, verdict, found):
    scrape_all, returned = fake_scrapes(healthy()), {}
    params = {**METRIC_PARAMS, "check": check}
    assert kafka_gate.metrics_checker(params, returned, scrape_all)().startswith(verdict)
    assert returned == found
    assert scrape_all.calls == [METRIC_PARAMS["exporters"]]


def test_the_brokers_and_partitions_checks_find_the_active_controller_among_the_controllers():
    r, returned = recording(COMBINED / "broker-down"), {}
    params = {**METRIC_PARAMS, "check": "brokers", "exporters": ["kafka-1:7071"]}
    params["controller_exporters"] = ["kafka-1:7071", "kafka-2:7071"]
    scrape_all = fake_scrapes(r)
    with pytest.raises(NotHealthy) as held:
        kafka_gate.metrics_checker(params, returned, scrape_all)()
    assert str(held.value) == (
        "2 brokers registered and unfenced (1 fenced), expected 3 (active controller kafka-2:7071)"
    )
    # One scrape of every exporter named, brokers' and controllers' together.
    assert scrape_all.calls == [["kafka-1:7071", "kafka-2:7071"]]


def test_the_exporters_check_returns_the_silent_ones():
    returned = {}
    check = kafka_gate.metrics_checker(
        {**METRIC_PARAMS, "check": "exporters"}, returned, fake_scrapes(recording(COMBINED / "broker-down"))
    )
    with pytest.raises(NotHealthy):
        check()
    assert returned == {"silent": ["kafka-3:7071"]}


MISSING = "check is %s but all of the following are missing: "


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"check": "quorum", "exporters": None}, f"{MISSING % 'quorum'}exporters"),
        ({"check": "brokers", "controller_exporters": None, "brokers": None},
         f"{MISSING % 'brokers'}controller_exporters, brokers"),
        ({"check": "partitions", "exporters": []}, f"{MISSING % 'partitions'}exporters"),
        ({"check": "safe_to_stop"}, "check safe_to_stop reads the tools only"),
        ({"check": "zookeeper_brokers"}, "check zookeeper_brokers reads the tools only"),
        ({"check": "exporters", "source": "tools"}, "check exporters reads the metrics only"),
        ({"check": "brokers", "controller_exporters": ["c:7071"]}, ""),
    ],
)  # fmt: skip
def test_what_each_check_needs_by_source(params, reason):
    assert kafka_gate.missing({**METRIC_PARAMS, **params}) == reason


def test_the_tools_are_the_default_source():
    assert kafka_gate.missing({"check": "partitions", "bootstrap_server": "b:9092"}) == ""
    assert kafka_gate.missing({"check": "partitions", "exporters": ["e:7071"]}) == (
        "check is partitions but all of the following are missing: bootstrap_server"
    )


def run_module(**args) -> dict:
    """kafka_gate run as Ansible runs it (no tools on this machine: a tools check would fail)."""
    result = module_process.run_module("kafka_gate", {"runner": "/nonexistent", "interval": 1, **args})
    return json.loads(result.stdout)


def test_the_module_reads_the_exporters_over_http(exporters):
    r = healthy()
    served = {
        host: exporters((r.directory / "metrics" / f"{host}.txt").read_text())
        for host in ("kafka-1", "kafka-2", "kafka-3")
    }
    result = run_module(check="partitions", source="metrics", exporters=sorted(served.values()))
    assert (result.get("failed", False), result["msg"], result["attempts"]) == (
        False,
        "partitions healthy: 80 partitions, none under-replicated, under min ISR or offline",
        1,
    )
    result = run_module(check="active_controller", source="metrics", exporters=sorted(served.values()))
    assert result["leader"] == 2


def test_the_module_fails_on_a_silent_exporter_and_names_it(exporters):
    text = (COMBINED / "healthy" / "metrics" / "kafka-1.txt").read_text()
    good, closed = exporters(text), closed_port()
    result = run_module(check="exporters", source="metrics", exporters=[good, closed], timeout=0)
    assert result["failed"] is True
    refused = f"{closed} ([Errno 111] Connection refused)"
    assert result["msg"] == f"not healthy after 0s: exporters of the nodes do not answer: {refused}"
    assert result["silent"] == [closed]


def test_the_module_refuses_a_metric_check_without_its_exporters():
    result = run_module(check="quorum", source="metrics", voters=3)
    assert result["failed"] is True
    assert result["msg"] == "check is quorum but all of the following are missing: exporters"
