"""The health gates that decide whether a node may stop, and whether it is back: pure verdicts over
what the tools answered or what the nodes' JMX exporters serve (module_utils/tool_output.py parses
both), plus the scrapes and the bounded retry loop that the kafka_gate module runs on a node.

Each verdict returns one line that says why the gate passes, or raises NotHealthy with the reason
it holds: the play log shows that line under the gate's own task. Tests:
tests/unit/test_gates.py, on the recorded outputs of the 3.9 and 4.x tools, and
tests/unit/test_metric_gates.py, where each metric verdict and its tool counterpart read a cluster
recorded both ways at the same moment (tests/data/gates/).

The metric verdicts read the series of the kit's exporter rules (roles/kafka_metrics/files/
kafka-jmx-exporter.yml). A scrape is the parsed answer of one exporter, or, for an exporter that did
not answer, the reason as a string: a silent exporter is a node that is not healthy, never one that
reports 0.
"""

from __future__ import annotations

import http.client
import math
import socket
import time
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.kafkakit.kafka.plugins.module_utils import tool_output
from ansible_collections.kafkakit.kafka.plugins.module_utils.tools import ToolError


class NotHealthy(Exception):
    """A gate holds: the reason is the message."""


# --- Verdicts ---------------------------------------------------------------------------------------
def quorum_verdict(
    replication: list[dict], voters: int, max_lag: int = 1000, max_staleness_ms: int = 10000
) -> str:
    """The controller quorum is whole: a leader, `voters` voters, each caught up with the leader
    (its lag at most `max_lag` records, its last catch-up at most `max_staleness_ms` behind the
    leader's clock). A stopped voter stays a voter but stops catching up: that is what the
    staleness finds, and why a quorum with a stopped voter holds the next controller's stop."""
    leaders = [r for r in replication if r["status"] == "Leader"]
    members = [r for r in replication if r["status"] in ("Leader", "Follower")]
    if not leaders:
        raise NotHealthy("the quorum has no leader")
    if len(members) != voters:
        raise NotHealthy(f"the quorum has {len(members)} voters, expected {voters}")
    now = leaders[0]["last_caught_up_ms"]
    lagging = [f"{r['id']} ({r['lag']} records behind)" for r in members if r["lag"] > max_lag]
    stale = [
        f"{r['id']} ({(now - r['last_caught_up_ms']) / 1000:.0f}s behind)"
        for r in members
        if now - r["last_caught_up_ms"] > max_staleness_ms
    ]
    if lagging or stale:
        raise NotHealthy(f"voters not caught up with the leader: {', '.join(sorted(set(lagging + stale)))}")
    ids = sorted(r["id"] for r in members)
    worst = max((r["lag"] for r in members), default=0)
    return f"quorum healthy: leader {leaders[0]['id']}, voters {ids}, max follower lag {worst}"


def voters(replication: list[dict]) -> dict[int, dict]:
    """`{node id: its row}` of the quorum's voters (the leader and its followers; observers are
    the brokers and the controllers not added yet)."""
    return {r["id"]: r for r in replication if r["status"] in ("Leader", "Follower")}


def observer_verdict(
    replication: list[dict],
    node: int,
    max_lag: int = 1000,
    max_staleness_ms: int = 10000,
    directory_id: str = "",
) -> str:
    """Controller `node` fetches the metadata log as an observer and has caught up with the leader,
    so adding it as a voter (KIP-853) neither stalls the quorum's commits nor waits on it. With
    `directory_id`, only that disk's row counts (a stale voter of a lost disk has the same id)."""
    leaders = [r for r in replication if r["status"] == "Leader"]
    if not leaders:
        raise NotHealthy("the quorum has no leader")
    row = next((r for r in replication if r["id"] == node and directory_id in ("", r["directory_id"])), None)
    if row is None:
        raise NotHealthy(f"controller {node} does not fetch from the quorum yet")
    behind_ms = leaders[0]["last_caught_up_ms"] - row["last_caught_up_ms"]
    if row["lag"] > max_lag or behind_ms > max_staleness_ms:
        raise NotHealthy(
            f"controller {node} is {row['lag']} records and {behind_ms / 1000:.0f}s behind the leader"
        )
    return f"controller {node} has caught up as {row['status'].lower()}, {row['lag']} records behind"


def brokers_verdict(registered: dict[int, str], expected: int, node: int | None = None) -> str:
    """`expected` brokers registered and unfenced (and broker `node` among them, after its start)."""
    ids = sorted(registered)
    if node is not None and node not in registered:
        raise NotHealthy(f"broker {node} is not registered and unfenced yet (registered: {ids})")
    if len(ids) != expected:
        raise NotHealthy(f"{len(ids)} brokers registered and unfenced {ids}, expected {expected}")
    return f"brokers healthy: {len(ids)} registered and unfenced {ids}"


def _min_isr(description: dict, topic: str, default_min_isr: int) -> int:
    configured = description["topics"].get(topic, {}).get("configs", {}).get("min.insync.replicas")
    return int(configured) if configured and configured.isdigit() else default_min_isr


def partitions_verdict(description: dict, default_min_isr: int) -> str:
    """No partition under-replicated, under its min ISR or offline."""
    under_replicated, under_min_isr, offline = [], [], []
    for p in description["partitions"]:
        name = f"{p['topic']}-{p['partition']}"
        if p["leader"] is None:
            offline.append(name)
        if len(p["isr"]) < len(p["replicas"]):
            under_replicated.append(name)
        if len(p["isr"]) < min(_min_isr(description, p["topic"], default_min_isr), len(p["replicas"])):
            under_min_isr.append(name)
    problems = [
        f"{len(names)} {what} ({_sample(names)})"
        for names, what in (
            (offline, "offline"),
            (under_min_isr, "under min ISR"),
            (under_replicated, "under-replicated"),
        )
        if names
    ]
    if problems:
        raise NotHealthy("partitions not healthy: " + "; ".join(problems))
    count = len(description["partitions"])
    return f"partitions healthy: {count} partitions, none under-replicated, under min ISR or offline"


def safe_to_stop_verdict(
    description: dict, broker: int, default_min_isr: int, allow_offline: bool = False
) -> str:
    """Stopping `broker` leaves every partition it is in sync for at its min ISR, and online."""
    blocked = []
    for p in description["partitions"]:
        if broker not in p["isr"]:
            continue
        left = len(p["isr"]) - 1
        needed = _min_isr(description, p["topic"], default_min_isr)
        name = f"{p['topic']}-{p['partition']}"
        if left == 0 and not allow_offline:
            blocked.append(f"{name} (would go offline)")
        elif 0 < left < needed:
            blocked.append(f"{name} (ISR {sorted(p['isr'])}, min {needed})")
    if blocked:
        raise NotHealthy(f"stopping broker {broker} would take partitions below min ISR: {_sample(blocked)}")
    return f"safe to stop broker {broker}: every partition keeps its min ISR"


def zookeeper_brokers_verdict(
    ids: list[str], controller: dict, expected: int, node: int | None = None
) -> str:
    """ZooKeeper mode: `expected` brokers registered in ZooKeeper, one of them the controller."""
    registered = sorted(int(item) for item in ids if item.isdigit())
    elected = controller.get("brokerid")
    if node is not None and node not in registered:
        raise NotHealthy(f"broker {node} is not registered in ZooKeeper yet (registered: {registered})")
    if len(registered) != expected:
        raise NotHealthy(
            f"{len(registered)} brokers registered in ZooKeeper {registered}, expected {expected}"
        )
    # While the cluster migrates to KRaft, the KRaft quorum's leader holds the controller znode
    # (with its epoch; a ZooKeeper-mode broker writes -1 there).
    kraft = int(controller.get("kraftControllerEpoch", -1)) >= 0
    if elected not in registered and not kraft:
        raise NotHealthy(f"the controller ({elected}) is not among the registered brokers {registered}")
    kind = "KRaft controller" if kraft else "controller"
    return f"brokers healthy: {len(registered)} registered in ZooKeeper {registered}, {kind} {elected}"


def ensemble_verdict(modes: dict[str, str]) -> str:
    """A ZooKeeper ensemble serves: one leader and every other member a follower (a single member
    runs standalone). `modes` maps each member to the Mode its `srvr` answer gave."""
    if len(modes) == 1:
        ((server, mode),) = modes.items()
        if mode != "standalone":
            raise NotHealthy(f"{server} is the only member but runs as {mode}, not standalone")
        return f"ensemble healthy: 1 member, {server} standalone"
    leaders = sorted(s for s, m in modes.items() if m == "leader")
    followers = sorted(s for s, m in modes.items() if m == "follower")
    others = sorted(f"{s} ({m})" for s, m in modes.items() if m not in ("leader", "follower"))
    if len(leaders) != 1:
        raise NotHealthy(f"{len(leaders)} leaders ({', '.join(leaders) or 'none'}), expected exactly one")
    if others:
        raise NotHealthy(f"members neither leader nor follower: {', '.join(others)}")
    return f"ensemble healthy: leader {leaders[0]}, followers {', '.join(followers)}"


def active_controller(replication: list[dict]) -> int:
    """The quorum leader's node id (the active controller), from `describe --replication`."""
    leaders = [r["id"] for r in replication if r["status"] == "Leader"]
    if not leaders:
        raise NotHealthy("the quorum has no leader")
    return leaders[0]


# --- Verdicts over the exporters' metrics ---------------------------------------------------------------
# One exporter's parsed answer (tool_output.prometheus_metrics), or why it gave none.
Scrape = dict | str
# kafka.server:type=KafkaServer,name=BrokerState: 3 is RUNNING (KRaft: registered and unfenced,
# caught up with the metadata log; ZooKeeper mode: serving).
BROKER_RUNNING = 3
_BROKER_STATES = {
    0: "NOT_RUNNING", 1: "STARTING", 2: "RECOVERY", 3: "RUNNING", 6: "PENDING_CONTROLLED_SHUTDOWN",
    7: "SHUTTING_DOWN",
}  # fmt: skip
_RAFT_STATE = "kafka_server_raftmetrics_current_state"
_REPLICA_MANAGER = "kafka_server_replicamanager"


def _silent(scrapes: dict[str, Scrape]) -> list[str]:
    return [f"{address} ({reason})" for address, reason in sorted(scrapes.items()) if isinstance(reason, str)]


def _answering(scrapes: dict[str, Scrape], what: str) -> dict[str, dict]:
    """The scrapes of exporters that answered; NotHealthy naming those that did not."""
    if not scrapes:
        raise NotHealthy(f"no exporter of the {what} to read")
    silent = _silent(scrapes)
    if silent:
        raise NotHealthy(f"exporters of the {what} do not answer: {_sample(silent)}")
    return dict(scrapes)


def metric(samples: dict, name: str, **labels: str) -> float | None:
    """The value of the first sample of `name` with `labels` (None when the exporter has none)."""
    for sample_labels, value in samples.get(name, []):
        if all(sample_labels.get(key) == wanted for key, wanted in labels.items()):
            return value
    return None


def _needed(samples: dict, address: str, name: str) -> float:
    """A series a verdict cannot do without: missing (a JVM that is starting and has not registered
    the bean yet) or NaN holds the gate."""
    value = metric(samples, name)
    if value is None or math.isnan(value):
        raise NotHealthy(f"{address} does not report {name} yet")
    return value


def _shown(value: float | None) -> str:
    return "none" if value is None else f"{value:.0f}"


def raft_state(samples: dict) -> str | None:
    """The node's KRaft state (leader, follower, candidate, unattached, observer, ...)."""
    states = [labels.get("state") for labels, value in samples.get(_RAFT_STATE, []) if value == 1]
    return states[0] if len(states) == 1 else None


def _active_controller(scrapes: dict[str, dict]) -> tuple[str, dict]:
    """(address, scrape) of the one controller that reports ActiveControllerCount 1."""
    active = [
        address
        for address, samples in sorted(scrapes.items())
        if metric(samples, "kafka_controller_kafkacontroller_activecontrollercount") == 1
    ]
    if len(active) != 1:
        raise NotHealthy(f"{len(active)} active controllers among {sorted(scrapes)}, expected exactly one")
    return active[0], scrapes[active[0]]


def metrics_quorum(scrapes: dict[str, Scrape], every: bool = True) -> tuple[str, int, dict[str, dict]]:
    """(leader's exporter, leader's node id, the voters' scrapes): every voter answers (or, not
    `every`, at least one), exactly one leads and every other follows it in the same epoch."""
    if every:
        voters = _answering(scrapes, "voters")
    else:
        voters = {a: s for a, s in scrapes.items() if not isinstance(s, str) and raft_state(s)}
        if not voters:
            raise NotHealthy(f"no voter reports its raft state: {_sample(sorted(scrapes))}")
    states = {address: raft_state(samples) for address, samples in voters.items()}
    unknown = sorted(address for address, state in states.items() if state is None)
    if unknown:
        raise NotHealthy(f"voters that report no raft state yet: {', '.join(unknown)}")
    leaders = sorted(address for address, state in states.items() if state == "leader")
    if not leaders:
        raise NotHealthy("the quorum has no leader")
    if len(leaders) > 1:
        raise NotHealthy(f"{len(leaders)} voters lead the quorum: {', '.join(leaders)}")
    others = sorted(f"{a} ({s})" for a, s in states.items() if s not in ("leader", "follower"))
    if others:
        raise NotHealthy(f"voters neither leader nor follower: {', '.join(others)}")
    leader = leaders[0]
    leader_id = int(_needed(voters[leader], leader, "kafka_server_raftmetrics_current_leader"))
    epoch = _needed(voters[leader], leader, "kafka_server_raftmetrics_current_epoch")
    astray = sorted(
        f"{address} (leader {_shown(metric(samples, 'kafka_server_raftmetrics_current_leader'))}, epoch "
        f"{_shown(metric(samples, 'kafka_server_raftmetrics_current_epoch'))})"
        for address, samples in voters.items()
        if metric(samples, "kafka_server_raftmetrics_current_leader") != leader_id
        or metric(samples, "kafka_server_raftmetrics_current_epoch") != epoch
    )
    if astray:
        raise NotHealthy(
            f"voters that follow another leader than {leader_id} in epoch {epoch:.0f}: {', '.join(astray)}"
        )
    return leader, leader_id, voters


def metrics_quorum_verdict(scrapes: dict[str, Scrape], voters: int, max_lag: int = 1000) -> str:
    """The controller quorum is whole, from the raft metrics of every controller (`scrapes`, one per
    voter): each answers, one leads and the others follow it in its epoch, the leader counts `voters`
    voters, and each follower's log end offset and high watermark are at most `max_lag` records
    behind the leader's. A follower that stops fetching leaves the follower state within
    controller.quorum.fetch.timeout.ms, and a voter that stops answers no scrape: the metric form of
    the tools' staleness."""
    leader, leader_id, answered = metrics_quorum(scrapes)
    counted = metric(answered[leader], "kafka_server_raftmetrics_number_of_voters")
    if counted is None:
        # Kafka 3.9 has no number-of-voters (KIP-853's metric came in 4.0): count the exporters in
        # the quorum, every one of which leads or follows (metrics_quorum).
        counted = len(answered)
    if counted != voters or len(answered) != voters:
        raise NotHealthy(
            f"the quorum has {counted:.0f} voters ({len(answered)} exporters read), expected {voters}"
        )
    end = _needed(answered[leader], leader, "kafka_server_raftmetrics_log_end_offset")
    watermark = _needed(answered[leader], leader, "kafka_server_raftmetrics_high_watermark")
    lags, lagging = {}, []
    for address, samples in sorted(answered.items()):
        offset = _needed(samples, address, "kafka_server_raftmetrics_log_end_offset")
        known = _needed(samples, address, "kafka_server_raftmetrics_high_watermark")
        lags[address] = max(0, int(end - offset))
        if known < 0 or watermark - known > max_lag:
            lagging.append(f"{address} (high watermark {known:.0f}, the leader's {watermark:.0f})")
        elif lags[address] > max_lag:
            lagging.append(f"{address} ({lags[address]} records behind)")
    if lagging:
        raise NotHealthy(f"voters not caught up with the leader: {', '.join(lagging)}")
    worst, ids = max(lags.values()), ", ".join(sorted(answered))
    return f"quorum healthy: leader {leader_id}, voters [{ids}], max follower lag {worst}"


# KIP-866's ZkMigrationState, as the active KRaft controller reports it.
ZK_MIGRATION_STATES = {0: "NONE", 1: "MIGRATION", 2: "PRE_MIGRATION", 3: "POST_MIGRATION", 4: "ZK"}


def metrics_migration_verdict(controllers: dict[str, Scrape], wanted: str) -> str:
    """The migration from ZooKeeper has reached `wanted` (ZK_MIGRATION_STATES), by the active
    controller's ZkMigrationState; MIGRATION also wants every broker off ZooKeeper mode when
    `wanted` is BROKERS_MIGRATED (MigratingZkBrokerCount 0)."""
    address, samples = _active_controller(_answering(controllers, "controllers"))
    value = _needed(samples, address, "kafka_controller_kafkacontroller_zkmigrationstate")
    state = ZK_MIGRATION_STATES.get(int(value), str(int(value)))
    zk_brokers = metric(samples, "kafka_controller_kafkacontroller_migratingzkbrokercount")
    counted = "" if zk_brokers is None else f", {int(zk_brokers)} brokers still in ZooKeeper mode"
    if wanted == "BROKERS_MIGRATED":
        if state != "MIGRATION" or zk_brokers is None or zk_brokers != 0:
            raise NotHealthy(f"migration state {state} on the active controller ({address}){counted}")
        return f"migration state MIGRATION (dual-write), every broker on KRaft ({address})"
    if state != wanted:
        raise NotHealthy(
            f"migration state {state} on the active controller ({address}), waiting for {wanted}{counted}"
        )
    return f"migration state {state} on the active controller ({address}){counted}"


def metrics_active_controller(scrapes: dict[str, Scrape]) -> int:
    """The quorum leader's node id, from the raft metrics of the controllers that answer (the tools
    ask any controller): one of them leads, the others follow it."""
    return metrics_quorum(scrapes, every=False)[1]


def metrics_brokers_verdict(brokers: dict[str, Scrape], controllers: dict[str, Scrape], expected: int) -> str:
    """`expected` brokers registered and unfenced: the active controller (among `controllers`)
    counts them (ActiveBrokerCount), and every broker's exporter answers with BrokerState RUNNING,
    which a broker reaches once the controller has unfenced it (BrokerApiVersionsCommand, the tools'
    way, lists the unfenced brokers that answer it)."""
    answered = _answering(brokers, "brokers")
    states = {
        address: _needed(samples, address, "kafka_server_kafkaserver_brokerstate")
        for address, samples in sorted(answered.items())
    }
    not_running = [
        f"{address} ({_BROKER_STATES.get(int(state), int(state))})"
        for address, state in states.items()
        if state != BROKER_RUNNING
    ]
    if not_running:
        raise NotHealthy(f"brokers not running yet: {', '.join(not_running)}")
    active, samples = _active_controller(_answering(controllers, "controllers"))
    unfenced = _needed(samples, active, "kafka_controller_kafkacontroller_activebrokercount")
    fenced = metric(samples, "kafka_controller_kafkacontroller_fencedbrokercount") or 0
    if unfenced != expected:
        raise NotHealthy(
            f"{unfenced:.0f} brokers registered and unfenced ({fenced:.0f} fenced), expected {expected} "
            f"(active controller {active})"
        )
    return f"brokers healthy: {expected} registered and unfenced, each running (active controller {active})"


def metrics_partitions_verdict(brokers: dict[str, Scrape], controllers: dict[str, Scrape]) -> str:
    """No partition under-replicated, under its min ISR or offline: the sums over every broker of
    UnderReplicatedPartitions and UnderMinIsrPartitionCount (each broker counts the partitions it
    leads), and the active controller's OfflinePartitionsCount (partitions without a leader, which
    no broker counts). Every broker's and controller's exporter must answer."""
    silent = _silent({**brokers, **controllers})
    problems = [f"exporters do not answer: {_sample(silent)}"] if silent else []
    under_replicated = under_min_isr = 0
    for address, samples in sorted(brokers.items()):
        if isinstance(samples, str):
            continue
        try:
            under_replicated += _needed(samples, address, f"{_REPLICA_MANAGER}_underreplicatedpartitions")
            under_min_isr += _needed(samples, address, f"{_REPLICA_MANAGER}_underminisrpartitioncount")
        except NotHealthy as missing:
            problems.append(str(missing))
    answered = {a: s for a, s in controllers.items() if not isinstance(s, str)}
    offline = count = None
    try:
        active, samples = _active_controller(answered)
        offline = _needed(samples, active, "kafka_controller_kafkacontroller_offlinepartitionscount")
        count = _needed(samples, active, "kafka_controller_kafkacontroller_globalpartitioncount")
    except NotHealthy as reason:
        problems.append(str(reason))
    counted = [
        f"{value:.0f} {what}"
        for value, what in (
            (offline, "offline"),
            (under_min_isr, "under min ISR"),
            (under_replicated, "under-replicated"),
        )
        if value
    ]
    if problems:
        raise NotHealthy(
            "partitions not healthy: "
            + "; ".join(problems + ([f"from those that answer: {', '.join(counted)}"] if counted else []))
        )
    if counted:
        raise NotHealthy("partitions not healthy: " + "; ".join(counted))
    return f"partitions healthy: {count:.0f} partitions, none under-replicated, under min ISR or offline"


def exporters_verdict(scrapes: dict[str, Scrape]) -> str:
    """Every exporter answers as an exporter (whether the metric gates can be read at all)."""
    answered = _answering(scrapes, "nodes")
    return f"every exporter answers: {', '.join(sorted(answered))}"


def _sample(names: list[str], shown: int = 5) -> str:
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


# --- Probing ------------------------------------------------------------------------------------
# The exporters are read directly, never through an HTTP proxy of the environment.
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def scrape(address: str, timeout: float = 5) -> dict:
    """GET http://<address>/metrics of an exporter (host:port), parsed."""
    with _NO_PROXY.open(f"http://{address}/metrics", timeout=timeout) as answer:
        return tool_output.prometheus_metrics(answer.read().decode("utf-8", errors="replace"))


def scrape_all(addresses: Iterable[str], timeout: float = 5) -> dict[str, Scrape]:
    """Every exporter at once (so that the scrapes describe one moment): its parsed answer, or why
    it gave none."""
    addresses = sorted(set(addresses))
    if not addresses:
        return {}
    with ThreadPoolExecutor(max_workers=min(16, len(addresses))) as pool:
        pending = {address: pool.submit(scrape, address, timeout) for address in addresses}
    found: dict[str, Scrape] = {}
    for address, future in pending.items():
        try:
            found[address] = future.result()
        except (OSError, http.client.HTTPException, tool_output.ToolOutputError) as error:
            found[address] = str(getattr(error, "reason", None) or error) or type(error).__name__
    return found


def four_letter_word(server: str, word: str, timeout: float = 5) -> str:
    """Send a four-letter word to a ZooKeeper member (host:port) and return its whole answer."""
    host, _, port = server.rpartition(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        conn.sendall(word.encode())
        chunks = []
        while chunk := conn.recv(4096):
            chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


def wait(
    check: Callable[[], str], timeout: float, interval: float = 3, sleep=time.sleep, clock=time.monotonic
):
    """Run `check` until it passes or `timeout` seconds are spent; returns (passed, message,
    attempts). The message is the verdict, or the last reason the gate held."""
    deadline, attempts = clock() + timeout, 0
    while True:
        attempts += 1
        try:
            return True, check(), attempts
        except (NotHealthy, ToolError, tool_output.ToolOutputError, ValueError, OSError) as reason:
            if clock() + interval > deadline:
                return False, str(reason), attempts
            sleep(interval)
