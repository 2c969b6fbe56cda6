"""plugins/modules/kafka_files.py, run as Ansible runs it (a subprocess fed its arguments): what it
writes, that a second run changes nothing, check and diff modes, and that a secret never leaves it."""

from __future__ import annotations

import grp
import json
import os
import pwd
from pathlib import Path

import module_process

ROOT = Path(__file__).resolve().parents[2]
USER = pwd.getpwuid(os.getuid()).pw_name
GROUP = grp.getgrgid(os.getgid()).gr_name


def run_module(files: list[dict], check_mode: bool = False, diff: bool = False) -> tuple[dict, str]:
    args = {"files": files, "_ansible_check_mode": check_mode, "_ansible_diff": diff}
    result = module_process.run_module("kafka_files", args, timeout=60)
    return json.loads(result.stdout), result.stdout


def layout(tmp_path: Path, config: str = "a=1\n") -> list[dict]:
    conf = tmp_path / "etc" / "kafka"
    return [
        {"dest": str(conf), "state": "directory", "owner": USER, "group": GROUP, "mode": "0750"},
        {"dest": str(conf / "server.properties"), "content": config, "owner": USER, "group": GROUP,
         "mode": "0640"},
        {"dest": str(conf / "log4j2.yaml"), "content": "Configuration: {}\n", "mode": "0644"},
    ]  # fmt: skip


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o7777


def test_makes_directories_and_files_then_a_second_run_changes_nothing(tmp_path):
    result, _ = run_module(layout(tmp_path))
    conf = tmp_path / "etc" / "kafka"
    assert result["changed"]
    assert result["changed_files"] == [str(conf), str(conf / "server.properties"), str(conf / "log4j2.yaml")]
    # The missing parent gets the entry's attributes too, as the file module gives them.
    assert mode(tmp_path / "etc") == 0o750
    assert mode(conf) == 0o750
    assert (conf / "server.properties").read_text() == "a=1\n"
    assert mode(conf / "server.properties") == 0o640
    again, _ = run_module(layout(tmp_path))
    assert not again["changed"]
    assert again["changed_files"] == []
    assert [entry["changed"] for entry in again["results"]] == [False, False, False]
    assert not [name for name in os.listdir(conf) if name.startswith(".")], "a staged file was left behind"


def test_rewrites_only_the_file_whose_content_or_mode_differs(tmp_path):
    run_module(layout(tmp_path))
    conf = tmp_path / "etc" / "kafka"
    result, _ = run_module(layout(tmp_path, config="a=2\n"))
    assert result["changed_files"] == [str(conf / "server.properties")]
    assert (conf / "server.properties").read_text() == "a=2\n"
    assert mode(conf / "server.properties") == 0o640
    (conf / "log4j2.yaml").chmod(0o600)
    result, _ = run_module(layout(tmp_path, config="a=2\n"))
    assert result["changed_files"] == [str(conf / "log4j2.yaml")]
    assert mode(conf / "log4j2.yaml") == 0o644


def test_an_unset_mode_keeps_the_present_files(tmp_path):
    target = tmp_path / "kept"
    target.write_text("old\n")
    target.chmod(0o600)
    run_module([{"dest": str(target), "content": "new\n"}])
    assert target.read_text() == "new\n"
    assert mode(target) == 0o600


def test_check_mode_reports_the_changes_and_writes_nothing(tmp_path):
    result, _ = run_module(layout(tmp_path), check_mode=True)
    assert result["changed"]
    assert len(result["changed_files"]) == 3
    assert not (tmp_path / "etc").exists()
    run_module(layout(tmp_path))
    result, _ = run_module(layout(tmp_path, config="a=2\n"), check_mode=True)
    assert result["changed_files"] == [str(tmp_path / "etc" / "kafka" / "server.properties")]
    assert (tmp_path / "etc" / "kafka" / "server.properties").read_text() == "a=1\n"


def test_diff_shows_plain_files_and_never_a_secret(tmp_path):
    run_module(layout(tmp_path))
    files = layout(tmp_path, config="sasl.jaas.config=password=hunter2-secret\n")
    files[1]["secret"] = True
    files[2]["content"] = "Configuration: {status: warn}\n"
    result, raw = run_module(files, diff=True)
    assert [entry["after"] for entry in result["diff"]] == ["Configuration: {status: warn}\n"]
    assert "hunter2-secret" not in raw, "the secret's content left the module"
    assert "hunter2-secret" in (tmp_path / "etc" / "kafka" / "server.properties").read_text()


def test_a_file_without_its_directory_fails_naming_both(tmp_path):
    dest = tmp_path / "missing" / "server.properties"
    result, _ = run_module([{"dest": str(dest), "content": "a=1\n"}])
    assert result["failed"]
    assert result["msg"] == f"The directory of {dest} does not exist: {dest.parent}."


def test_a_file_in_place_of_a_directory_fails(tmp_path):
    (tmp_path / "conf").write_text("")
    result, _ = run_module([{"dest": str(tmp_path / "conf"), "state": "directory"}])
    assert result["failed"]
    assert result["msg"] == f"{tmp_path / 'conf'} exists and is not a directory."


def test_a_file_needs_its_content(tmp_path):
    result, _ = run_module([{"dest": str(tmp_path / "a")}])
    assert result["failed"]
    assert "content" in result["msg"]


def test_a_relative_dest_is_refused_before_any_entry_is_handled(tmp_path):
    made = tmp_path / "etc" / "kafka"
    result, _ = run_module(
        [{"dest": str(made), "state": "directory"}, {"dest": "server.properties", "content": "a=1\n"}]
    )
    assert result["failed"]
    assert result["msg"] == "dest must be an absolute path, not server.properties; nothing was changed."
    assert not made.exists()
