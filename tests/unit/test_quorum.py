"""Adding and removing controllers of a live quorum (module kafka_quorum, KIP-853): the verdicts read
from MetadataQuorumCommand's recorded 4.4.0 output, the module's decisions with a stand-in for the
tools, and the module run as Ansible runs it against a runner that answers as the recorded cluster.
`make e2e-lifecycle` does the same on a live cluster under traffic."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import module_process
import pytest
from ansible_collections.kafkakit.kafka.plugins.module_utils import gates, tool_output
from ansible_collections.kafkakit.kafka.plugins.module_utils.gates import NotHealthy
from ansible_collections.kafkakit.kafka.plugins.modules import kafka_quorum

ROOT = Path(__file__).resolve().parents[2]
K44 = ROOT / "tests" / "data" / "tools" / "kafka-4.4.0-kraft"
REPLICATION = (K44 / "quorum-replication.txt").read_text()
FEATURES = (K44 / "features.txt").read_text()


def with_observer(node: int, lag: int, behind_ms: int) -> str:
    """The recorded replication of voters 1-3 (leader 1), with controller `node` fetching as an
    observer `lag` records and `behind_ms` behind the leader (copied from voter 3's row)."""
    lines = REPLICATION.splitlines()
    cells = lines[-1].split("\t")
    caught_up = int(lines[1].split("\t")[5]) - behind_ms
    cells[0], cells[3], cells[5], cells[6] = f"{node:<6}", f"{lag:<3}", f"{caught_up:<21}", "Observer"
    return "\n".join([*lines, "\t".join(cells)]) + "\n"


def test_the_voters_are_the_leader_and_its_followers():
    assert sorted(gates.voters(tool_output.quorum_replication(REPLICATION))) == [1, 2, 3]
    assert sorted(gates.voters(tool_output.quorum_replication(with_observer(4, 0, 0)))) == [1, 2, 3]


def test_a_controller_that_caught_up_as_an_observer_may_be_added():
    replication = tool_output.quorum_replication(with_observer(4, 12, 200))
    assert (
        gates.observer_verdict(replication, 4) == "controller 4 has caught up as observer, 12 records behind"
    )


@pytest.mark.parametrize(
    ("replication", "reason"),
    [
        (REPLICATION, "controller 4 does not fetch from the quorum yet"),
        (with_observer(4, 5000, 0), "controller 4 is 5000 records and 0s behind the leader"),
        (with_observer(4, 0, 60000), "controller 4 is 0 records and 60s behind the leader"),
    ],
    ids=["not-fetching", "records-behind", "stale"],
)
def test_a_controller_is_not_added_before_it_has_caught_up(replication, reason):
    with pytest.raises(NotHealthy, match=reason):
        gates.observer_verdict(tool_output.quorum_replication(replication), 4)


@pytest.mark.parametrize(
    ("level", "parsed"), [("4.4-IV2", (4, 4, 2)), ("4.3-IV3", (4, 3, 3)), ("", (0, 0, 0)), ("x", (0, 0, 0))]
)
def test_metadata_versions_compare_as_numbers(level, parsed):
    assert kafka_quorum.metadata_version(level) == parsed


# --- The module, run as Ansible runs it ----------------------------------------------------------------


def run_module(tmp_path: Path, answers: dict[str, list[str]], **args) -> tuple[dict, list[list[str]]]:
    """kafka_quorum against a runner that answers each tool class with its outputs in turn (the last
    for ever); returns the result and the tool calls made."""
    calls, state = tmp_path / "calls.jsonl", tmp_path / "answers.json"
    state.write_text(json.dumps(answers))
    runner = tmp_path / "kafka-run-class"
    runner.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        "if sys.argv[1:] == ['--kafka-version']: print('4.4.0'); sys.exit(0)\n"
        f"open({str(calls)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"answers = json.load(open({str(state)!r}))\n"
        "tool = sys.argv[1].rsplit('.', 1)[-1]\n"
        "queue = answers.get(tool) or ['']\n"
        "answer = queue.pop(0) if len(queue) > 1 else queue[0]\n"
        f"json.dump(answers, open({str(state)!r}, 'w'))\n"
        "if answer.startswith('FAIL:'): print(answer[5:], file=sys.stderr); sys.exit(1)\n"
        "sys.stdout.write(answer)\n"
    )
    runner.chmod(0o755)
    module_args = {"runner": str(runner), "interval": 0, "wait_timeout": 0, "bootstrap_controller": "c1:9093"}
    result = module_process.run_module("kafka_quorum", {**module_args, **args})
    made = [json.loads(line) for line in calls.read_text().splitlines()] if calls.exists() else []
    return json.loads(result.stdout), made


def subcommands(calls: list[list[str]]) -> list[str]:
    known = ("describe", "add-controller", "remove-controller", "unregister-controller")
    return [next((a for a in call if a in known), call[0]) for call in calls]


def voters_only(*node_ids: int) -> str:
    """The recorded replication, keeping the voters `node_ids` (and the leader, voter 1)."""
    lines = REPLICATION.splitlines()
    return "\n".join([lines[0], *[line for line in lines[1:] if int(line.split("\t")[0]) in node_ids]]) + "\n"


def test_a_voter_already_in_the_quorum_is_left_alone(tmp_path):
    result, calls = run_module(
        tmp_path, {"MetadataQuorumCommand": [REPLICATION]}, node_id=3, join_config="/j"
    )
    assert (result["changed"], result["voters"]) == (False, [1, 2, 3])
    assert subcommands(calls) == ["describe"]


def test_a_caught_up_controller_is_added_with_its_own_configuration(tmp_path):
    joined = with_observer(4, 0, 0).replace("Observer", "Follower")
    answers = {"MetadataQuorumCommand": [with_observer(4, 0, 0), with_observer(4, 0, 0), "", joined],
               "FeatureCommand": [FEATURES]}  # fmt: skip
    result, calls = run_module(tmp_path, answers, node_id=4, join_config="/etc/kafka/quorum-join.properties")
    assert (result["changed"], result["voters"]) == (True, [1, 2, 3, 4]), result
    add = next(call for call in calls if "add-controller" in call)
    assert add[add.index("--command-config") + 1] == "/etc/kafka/quorum-join.properties"


def test_a_static_quorum_is_refused_with_the_way_to_a_dynamic_one(tmp_path):
    static = FEATURES.replace(
        "FinalizedVersionLevel: 1                Epoch", "FinalizedVersionLevel: 0  Epoch"
    )
    answers = {"MetadataQuorumCommand": [with_observer(4, 0, 0)], "FeatureCommand": [static]}
    result, calls = run_module(tmp_path, answers, node_id=4, join_config="/j")
    assert result["failed"] is True
    assert result["msg"].startswith("the quorum is static (kraft.version 0)")
    assert "kraft.version=1" in result["msg"]
    assert "add-controller" not in subcommands(calls)


def test_a_voter_is_removed_by_the_directory_id_the_quorum_knows_it_by(tmp_path):
    answers = {"MetadataQuorumCommand": [REPLICATION, "", voters_only(1, 2)], "FeatureCommand": [FEATURES]}
    result, calls = run_module(tmp_path, answers, node_id=3, state="absent")
    assert (result["changed"], result["voters"]) == (True, [1, 2]), result
    remove = next(call for call in calls if "remove-controller" in call)
    assert remove[remove.index("--controller-id") + 1] == "3"
    assert remove[remove.index("--controller-directory-id") + 1] == "DInrWRHh3zKy6-y2Cw6kKw"


def test_the_only_voter_is_not_removed(tmp_path):
    answers = {"MetadataQuorumCommand": [voters_only(1)], "FeatureCommand": [FEATURES]}
    result, calls = run_module(tmp_path, answers, node_id=1, state="absent")
    assert result["failed"] is True
    assert "only voter" in result["msg"]
    assert "remove-controller" not in subcommands(calls)


def test_a_removed_controller_is_unregistered_once(tmp_path):
    answers = {
        "MetadataQuorumCommand": [voters_only(1, 2)],
        "FeatureCommand": [FEATURES],
        "ClusterTool": [""],
    }
    result, calls = run_module(
        tmp_path, answers, node_id=3, state="unregistered", command_config="/c.properties"
    )
    assert (result["changed"], result["msg"]) == (True, "unregistered controller 3")
    unregister = next(call for call in calls if "unregister-controller" in call)
    # ClusterTool takes its options after the subcommand.
    assert unregister.index("unregister-controller") < unregister.index("--command-config")
    answers["ClusterTool"] = [
        "FAIL:Caused by: ...ControllerIdNotRegisteredException: Controller ID 3 is not currently registered."
    ]
    again, _ = run_module(tmp_path, answers, node_id=3, state="unregistered", command_config="/c.properties")
    assert (again["changed"], again["msg"]) == (False, "controller 3 is not registered")


def test_a_voter_is_not_unregistered(tmp_path):
    result, _ = run_module(
        tmp_path, {"MetadataQuorumCommand": [REPLICATION]}, node_id=3, state="unregistered"
    )
    assert result["failed"] is True
    assert "remove it from the quorum (state=absent) first" in result["msg"]


def test_an_older_metadata_version_leaves_the_registration_and_warns(tmp_path):
    older = FEATURES.replace("FinalizedVersionLevel: 4.4-IV2", "FinalizedVersionLevel: 4.3-IV3")
    answers = {"MetadataQuorumCommand": [voters_only(1, 2)], "FeatureCommand": [older]}
    result, calls = run_module(tmp_path, answers, node_id=3, state="unregistered")
    assert result["changed"] is False
    assert "metadata.version 4.3-IV3 cannot unregister" in json.dumps(result["warnings"])
    assert "unregister-controller" not in subcommands(calls)


# --- A controller whose disk was lost: the same id, a new directory id ---------------------------------
NEW_DISK = "Zq0NewDiskAfterLoss00w"
OLD_DISK = "DInrWRHh3zKy6-y2Cw6kKw"


def join_config_of_new_disk(tmp_path: Path) -> str:
    """The joining controller's configuration, its metadata log dir formatted again (new directory id)."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "meta.properties").write_text(f"node.id=3\ndirectory.id={NEW_DISK}\nversion=1\n")
    config = tmp_path / "quorum-join.properties"
    config.write_text(f"node.id=3\nlog.dirs={data},/elsewhere\n")
    return str(config)


def with_new_disk_observing(voter_row_of_old_disk: bool = True, voter_is_new: bool = False) -> str:
    """Voters 1-3 (3 on its lost disk), and 3's new disk fetching as an observer, caught up."""
    lines = REPLICATION.splitlines()
    row = lines[-1].replace(OLD_DISK, NEW_DISK).replace("Follower", "Observer")
    if voter_is_new:
        return "\n".join([*lines[:-1], row.replace("Observer", "Follower")]) + "\n"
    return "\n".join([*(lines if voter_row_of_old_disk else lines[:-1]), row]) + "\n"


def test_the_directory_id_is_read_from_the_metadata_log_dir_as_kafka_reads_it(tmp_path):
    assert kafka_quorum.own_directory_id(join_config_of_new_disk(tmp_path)) == NEW_DISK
    assert kafka_quorum.own_directory_id(str(tmp_path / "absent.properties")) == ""


def test_only_the_new_disks_row_counts_as_the_observer():
    replication = tool_output.quorum_replication(with_new_disk_observing())
    assert "caught up as observer" in gates.observer_verdict(replication, 3, directory_id=NEW_DISK)
    stale = tool_output.quorum_replication(REPLICATION)
    with pytest.raises(NotHealthy, match="controller 3 does not fetch from the quorum yet"):
        gates.observer_verdict(stale, 3, directory_id=NEW_DISK)


def test_a_lost_disk_is_removed_from_the_voters_and_the_new_one_added(tmp_path):
    answers = {
        "MetadataQuorumCommand": [
            with_new_disk_observing(),  # the voters
            with_new_disk_observing(),  # the others caught up
            with_new_disk_observing(),  # the new disk caught up
            "",  # remove-controller
            with_new_disk_observing(voter_row_of_old_disk=False),  # the old disk gone
            with_new_disk_observing(voter_row_of_old_disk=False),  # caught up, again
            "",  # add-controller
            with_new_disk_observing(voter_is_new=True),
        ],
        "FeatureCommand": [FEATURES],
    }
    config = join_config_of_new_disk(tmp_path)
    result, calls = run_module(tmp_path, answers, node_id=3, join_config=config)
    assert (result["changed"], result["voters"]) == (True, [1, 2, 3]), result
    assert subcommands(calls).count("remove-controller") == 1
    remove = next(call for call in calls if "remove-controller" in call)
    assert remove[remove.index("--controller-directory-id") + 1] == OLD_DISK
    assert subcommands(calls).index("remove-controller") < subcommands(calls).index("add-controller")
    # Run again: the voter is the new disk, nothing to do.
    again, _ = run_module(
        tmp_path, {"MetadataQuorumCommand": [with_new_disk_observing(voter_is_new=True)]},
        node_id=3, join_config=config,
    )  # fmt: skip
    assert (again["changed"], again["voters"]) == (False, [1, 2, 3]), again


def test_a_lost_disk_is_not_removed_while_another_voter_lags(tmp_path):
    lines = with_new_disk_observing().splitlines()
    lagging = "\n".join([lines[0], lines[1], lines[2].replace("\t0  \t", "\t5000\t"), *lines[3:]]) + "\n"
    answers = {"MetadataQuorumCommand": [lagging], "FeatureCommand": [FEATURES]}
    result, calls = run_module(tmp_path, answers, node_id=3, join_config=join_config_of_new_disk(tmp_path))
    assert result["failed"] is True
    assert "the voters other than 3 are not all caught up" in result["msg"], result
    assert "remove-controller" not in subcommands(calls)
