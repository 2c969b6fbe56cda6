"""ZooKeeper's release comes the same way as Kafka's: the Apache tarball checked against its
published SHA-512, else assembled from Maven Central. The Maven path here, without the network."""

import importlib.util
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from ansible_collections.kafkakit.kafka.plugins.filter.artifact import kafka_artifact_sha512_digest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location(
    "assemble_from_maven", ROOT / "roles" / "kafka_artifact" / "files" / "assemble_from_maven.py"
)
assemble = importlib.util.module_from_spec(spec)
spec.loader.exec_module(assemble)
NS = {"m": "http://maven.apache.org/POM/4.0.0"}
DIGEST = "0123456789abcdef" * 8


def dependencies(pom_text: str, where: str = "m:dependencies/m:dependency") -> list[tuple]:
    root = ET.fromstring(pom_text)
    return [
        (d.findtext("m:groupId", namespaces=NS), d.findtext("m:artifactId", namespaces=NS),
         d.findtext("m:version", namespaces=NS), d.findtext("m:scope", namespaces=NS))
        for d in root.findall(where, NS)
    ]  # fmt: skip


def test_zookeepers_pom_takes_the_provided_jars_at_the_parent_poms_versions():
    modules = yaml.safe_load((ROOT / "roles/zookeeper/defaults/main.yml").read_text())
    pom = assemble.pom(
        "3.8.4",
        modules["zookeeper_artifact_maven_modules"],
        "https://repo1.maven.org/maven2",
        "org.apache.zookeeper",
        "org.apache.zookeeper:parent:3.8.4",
    )
    assert dependencies(pom) == [
        ("org.apache.zookeeper", "zookeeper", "3.8.4", None),
        ("commons-cli", "commons-cli", None, None),
        ("io.dropwizard.metrics", "metrics-core", None, None),
        ("org.xerial.snappy", "snappy-java", None, None),
    ]
    managed = "m:dependencyManagement/m:dependencies/m:dependency"
    assert dependencies(pom, managed) == [("org.apache.zookeeper", "parent", "3.8.4", "import")]


def test_kafkas_pom_is_unchanged_by_the_generalisation():
    pom = assemble.pom("4.4.0", ["kafka_2.13", "kafka-tools"], "https://repo1.maven.org/maven2")
    assert "dependencyManagement" not in pom
    assert dependencies(pom) == [
        ("org.apache.kafka", "kafka_2.13", "4.4.0", None),
        ("org.apache.kafka", "kafka-tools", "4.4.0", None),
    ]


def test_module_names_take_three_shapes():
    assert assemble.coordinates("zookeeper", "org.apache.zookeeper", "3.8.4") == (
        "org.apache.zookeeper", "zookeeper", "3.8.4",
    )  # fmt: skip
    assert assemble.coordinates("commons-cli:commons-cli", "g", "1") == ("commons-cli", "commons-cli", None)
    assert assemble.coordinates("a:b:2.0", "g", "1") == ("a", "b", "2.0")
    with pytest.raises(SystemExit):
        assemble.coordinates("a:b:c:d", "g", "1")


def test_zookeeper_brings_its_own_logging_backend(tmp_path):
    for jar in ("slf4j-api-1.7.30.jar", "logback-classic-1.2.13.jar", "logback-core-1.2.13.jar"):
        (tmp_path / jar).touch()
    assert assemble.logging_backend(tmp_path) == []


def test_kafka_3_still_gets_reload4j(tmp_path):
    (tmp_path / "slf4j-api-1.7.36.jar").touch()
    assert assemble.logging_backend(tmp_path) == ["org.slf4j:slf4j-reload4j:1.7.36"]


@pytest.mark.parametrize(
    "published",
    [
        f"{DIGEST}  apache-zookeeper-3.8.4-bin.tar.gz\n",
        f"SHA512(apache-zookeeper-3.8.4-bin.tar.gz)= {DIGEST}\n",
        "apache-zookeeper-3.8.4-bin.tar.gz: "
        + " ".join(DIGEST.upper()[i : i + 8] for i in range(0, 128, 8))
        + "\n",
    ],
)
def test_every_shape_of_apache_checksum_file_gives_the_digest(published):
    assert kafka_artifact_sha512_digest(published) == DIGEST


def test_the_zookeeper_layout_names_the_official_tarball():
    layouts = yaml.safe_load((ROOT / "roles/kafka_artifact/vars/main.yml").read_text())[
        "__kafka_artifact_layouts"
    ]
    zookeeper = layouts["zookeeper"]
    assert zookeeper["file"] == "apache-zookeeper-{{ kafka_artifact_version }}-bin.tar.gz"
    assert zookeeper["apache_path"].startswith("zookeeper-{{ kafka_artifact_version }}/")
    assert zookeeper["lib_dir"] == "lib"
