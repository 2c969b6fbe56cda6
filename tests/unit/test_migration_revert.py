"""The last step back from a migration (module kafka_migration_revert, rollback_to_zookeeper.yml): the
ZooKeeper controller elected after the KRaft controllers must outrank the KRaft epoch that the
partitions' states carry (KAFKA-20488). The epoch rule, the parser of a number znode on recorded
ZooKeeperMain output, and the module run as Ansible runs it against a runner that serves a
ZooKeeper tree as recorded from a migrating 3.9.2 lab."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import module_process
import pytest
from ansible_collections.kafkakit.kafka.plugins.module_utils import migration, tool_output

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "tests" / "data" / "tools" / "kafka-3.9.2-migration"
ZOOKEEPER_MODE = ROOT / "tests" / "data" / "tools" / "kafka-3.9.2-zookeeper"


def recorded(name: str) -> str:
    return (RECORDED / name).read_text()


def data_of(name: str) -> str:
    """The znode's data in a recorded `get`: its last line."""
    return recorded(name).strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("zookeeper_epoch", "kraft_epochs", "raised_to"),
    [
        (3, (17, 16), 17),  # the quorum was elected more often than it claimed /controller
        (3, (None, 17), 17),  # /controller already gone: /migration still has the epoch
        (20, (17, 17), None),  # high enough: the broker elected next takes 21
        (17, (17, None), None),  # equal: elected with 18, above every partition's 17
        (4, (-1, None), None),  # a broker holds /controller and no migration is recorded
        (0, (None, None), None),
    ],
)
def test_the_controller_epoch_is_raised_to_the_highest_kraft_epoch(zookeeper_epoch, kraft_epochs, raised_to):
    assert migration.revert_controller_epoch(zookeeper_epoch, *kraft_epochs) == raised_to


def test_the_recorded_znodes_of_a_migrating_cluster_read_as_their_epochs():
    assert tool_output.zookeeper_integer(recorded("zookeeper-get-controller-epoch.txt")) == int(
        data_of("zookeeper-get-controller-epoch.txt")
    )
    controller = tool_output.zookeeper_json(recorded("zookeeper-get-controller-kraft.txt"))
    assert controller["brokerid"] >= 1000 and controller["kraftControllerEpoch"] > 0
    state = tool_output.zookeeper_json(recorded("zookeeper-get-migration.txt"))
    assert state["kraft_controller_epoch"] == controller["kraftControllerEpoch"]


def test_on_the_recorded_lab_a_broker_elected_without_the_raise_would_rank_below_a_partition():
    zookeeper_epoch = tool_output.zookeeper_integer(recorded("zookeeper-get-controller-epoch.txt"))
    partition = tool_output.zookeeper_json(recorded("zookeeper-get-partition-state.txt"))
    kraft = tool_output.zookeeper_json(recorded("zookeeper-get-migration.txt"))["kraft_controller_epoch"]
    assert zookeeper_epoch + 1 < partition["controller_epoch"] <= kraft  # KAFKA-20488 as it was seen
    raised = migration.revert_controller_epoch(zookeeper_epoch, kraft)
    assert raised is not None and raised + 1 > partition["controller_epoch"]


def test_no_number_is_no_answer():
    with pytest.raises(tool_output.ToolOutputError, match="no number from ZooKeeper"):
        tool_output.zookeeper_integer(recorded("zookeeper-get-controller-kraft.txt"))


# --- The module, run as Ansible runs it ----------------------------------------------------------------

CHROOT = "/kafka"


def run_module(tmp_path: Path, tree: dict[str, str], check_mode: bool = False) -> tuple[dict, dict, list]:
    """kafka_migration_revert against a runner that serves `tree` ({path: data}) as ZooKeeperMain
    does (the recorded preamble, a missing znode as ZooKeeper says it); returns the result, the tree
    afterwards and the commands run."""
    state, calls = tmp_path / "tree.json", tmp_path / "calls.jsonl"
    state.write_text(json.dumps(tree))
    preamble = recorded("zookeeper-get-controller-kraft.txt").strip().splitlines()[:-1]
    runner = tmp_path / "kafka-run-class"
    runner.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        "if sys.argv[1:] == ['--kafka-version']: print('3.9.2'); sys.exit(0)\n"
        "command, path, data = sys.argv[4], sys.argv[5], sys.argv[6:]\n"
        f"open({str(calls)!r}, 'a').write(json.dumps([command, path, *data]) + '\\n')\n"
        f"tree = json.load(open({str(state)!r}))\n"
        f"print('\\n'.join({preamble!r}))\n"
        "if path not in tree:\n"
        "    print('Node does not exist: ' + path, file=sys.stderr); sys.exit(1)\n"
        "if command == 'get': print(tree[path])\n"
        "elif command == 'set': tree[path] = data[0]\n"
        "elif command == 'deleteall': del tree[path]\n"
        f"json.dump(tree, open({str(state)!r}, 'w'))\n"
    )
    runner.chmod(0o755)
    args = {"runner": str(runner), "zookeeper": "z1:2181,z2:2181,z3:2181", "chroot": CHROOT}
    if check_mode:
        args["_ansible_check_mode"] = True
    result = module_process.run_module("kafka_migration_revert", args)
    made = [json.loads(line) for line in calls.read_text().splitlines()] if calls.exists() else []
    return json.loads(result.stdout), json.loads(state.read_text()), made


def migrated_tree(zookeeper_epoch: int | None = None) -> dict[str, str]:
    """The znodes of the recorded migrating lab, /controller_epoch set to `zookeeper_epoch`."""
    epoch = data_of("zookeeper-get-controller-epoch.txt") if zookeeper_epoch is None else str(zookeeper_epoch)
    return {
        f"{CHROOT}/controller": data_of("zookeeper-get-controller-kraft.txt"),
        f"{CHROOT}/migration": data_of("zookeeper-get-migration.txt"),
        f"{CHROOT}/controller_epoch": epoch,
    }


KRAFT_EPOCH = json.loads(data_of("zookeeper-get-migration.txt"))["kraft_controller_epoch"]


def test_a_lower_zookeeper_epoch_is_raised_before_the_controller_is_handed_back(tmp_path):
    result, tree, calls = run_module(tmp_path, migrated_tree(KRAFT_EPOCH - 5))
    assert result["changed"] is True, result
    assert (result["zookeeper_epoch"], result["kraft_epoch"], result["raised_to"]) == (
        KRAFT_EPOCH - 5, KRAFT_EPOCH, KRAFT_EPOCH,
    )  # fmt: skip
    assert tree == {f"{CHROOT}/controller_epoch": str(KRAFT_EPOCH)}
    # The epoch is raised before /controller goes, so the broker elected then is elected above it.
    written = [call[:2] for call in calls if call[0] != "get"]
    assert written == [
        ["set", f"{CHROOT}/controller_epoch"], ["deleteall", f"{CHROOT}/controller"],
        ["deleteall", f"{CHROOT}/migration"],
    ]  # fmt: skip
    assert result["migration"]["kraft_controller_epoch"] == KRAFT_EPOCH


def test_a_high_enough_epoch_is_left_and_only_the_znodes_go(tmp_path):
    result, tree, _ = run_module(tmp_path, migrated_tree(KRAFT_EPOCH + 3))
    assert (result["changed"], result["raised_to"]) == (True, None)
    assert tree == {f"{CHROOT}/controller_epoch": str(KRAFT_EPOCH + 3)}
    assert result["deleted"] == [f"{CHROOT}/controller", f"{CHROOT}/migration"]


def test_a_second_run_changes_nothing(tmp_path):
    broker_controller = (ZOOKEEPER_MODE / "zookeeper-get-controller.txt").read_text().strip().splitlines()[-1]
    tree = {f"{CHROOT}/controller": broker_controller, f"{CHROOT}/controller_epoch": str(KRAFT_EPOCH + 1)}
    result, after, _ = run_module(tmp_path, tree)
    assert (result["changed"], result["deleted"], after) == (False, [], tree)
    assert result["msg"] == "a ZooKeeper-mode broker is controller already and no migration is recorded"


def test_check_mode_says_what_it_would_do_and_writes_nothing(tmp_path):
    tree = migrated_tree(KRAFT_EPOCH - 1)
    result, after, calls = run_module(tmp_path, tree, check_mode=True)
    assert (result["changed"], result["raised_to"], after) == (True, KRAFT_EPOCH, tree)
    assert {call[0] for call in calls} == {"get"}
