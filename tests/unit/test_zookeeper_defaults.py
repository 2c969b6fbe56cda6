"""One variable chooses the mode, and the versions follow it: the kafka role and the artifact role
(which runs in an earlier play, without the kafka role's defaults) must pick the same release."""

from pathlib import Path

import jinja2
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def defaults(role: str) -> dict:
    return yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text())


def render(template: str, **variables) -> str:
    return jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(template).render(**variables)


@pytest.mark.parametrize(("mode", "line"), [("kraft", "4."), ("zookeeper", "3.9.")])
def test_kafka_version_follows_the_mode_in_both_roles(mode, line):
    kafka_version = render(defaults("kafka")["kafka_version"], kafka_mode=mode)
    artifact_version = render(defaults("kafka_artifact")["kafka_artifact_version"], kafka_mode=mode)
    assert kafka_version.startswith(line)
    assert artifact_version == kafka_version


def test_the_artifact_role_follows_a_pinned_kafka_version_whatever_the_mode():
    template = defaults("kafka_artifact")["kafka_artifact_version"]
    assert render(template, kafka_mode="zookeeper", kafka_version="3.9.1") == "3.9.1"
    assert render(template, kafka_version="4.3.1") == "4.3.1"
    assert render(template) == render(defaults("kafka")["kafka_version"], kafka_mode="kraft")


def test_the_inter_broker_protocol_is_pinned_to_the_running_release():
    template = defaults("kafka")["kafka_inter_broker_protocol_version"]
    assert render(template, kafka_version="3.9.2") == "3.9"
    assert render(template, kafka_version="3.8.1") == "3.8"


def test_zookeeper_is_the_release_kafka_3_9_was_built_against():
    # org.apache.kafka:kafka_2.13:3.9.x depends on org.apache.zookeeper:zookeeper:3.8.4.
    assert defaults("zookeeper")["zookeeper_version"] == "3.8.4"


def test_the_four_letter_words_are_only_those_the_health_checks_send():
    assert sorted(defaults("zookeeper")["zookeeper_4lw_whitelist"]) == ["ruok", "srvr"]
    health = (ROOT / "roles" / "zookeeper" / "files" / "zookeeper-health.py").read_text()
    assert all(f'"{word}"' in health for word in ("ruok", "srvr"))
