"""Whether a release exists, checked on the controller before any host changes: in the controller's
artifact cache, on Maven Central (its maven-metadata.xml lists every version), or in the Apache
archive's index. A version that does not exist (3.9.9, 5.0.0), or a Scala build that does not
exist for it, is found here rather than after host_prep and java have changed the hosts.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path
from xml.etree import ElementTree

# Each product's files, as the kafka_artifact role names them (roles/kafka_artifact/vars/main.yml).
LAYOUTS = {
    "kafka": {
        "file": "kafka_{scala}-{version}.tgz",
        "maven": "org/apache/kafka/kafka_{scala}/maven-metadata.xml",
        "apache": "{version}/",
    },
    "zookeeper": {
        "file": "apache-zookeeper-{version}-bin.tar.gz",
        "maven": "org/apache/zookeeper/zookeeper/maven-metadata.xml",
        "apache": "zookeeper-{version}/",
    },
}


def cached_file(artifact: dict) -> Path:
    layout = LAYOUTS[artifact["product"]]
    name = layout["file"].format(scala=artifact["scala_version"], version=artifact["version"])
    return Path(artifact["cache_dir"]) / name


def maven_versions(metadata_xml: str) -> list[str]:
    """The versions a maven-metadata.xml lists."""
    root = ElementTree.fromstring(metadata_xml)
    return [element.text.strip() for element in root.iter("version") if element.text]


def apache_index_lists(index_html: str, entry: str) -> bool:
    """Whether an Apache directory index links `entry` (a release directory or file)."""
    return re.search(rf'href="{re.escape(entry)}"', index_html) is not None


def _fetch(url: str, timeout: float) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8", errors="replace")


def _label(artifact: dict) -> str:
    scala = artifact["scala_version"]
    return f"{artifact['product']} {artifact['version']}" + (f" (Scala {scala})" if scala else "")


def _on_maven(artifact: dict, fetch) -> tuple[bool | None, str]:
    """(True/False when Maven answered, None when it could not be asked; how it is known)."""
    layout, label = LAYOUTS[artifact["product"]], _label(artifact)
    url = (
        artifact["maven_repository"].rstrip("/")
        + "/"
        + layout["maven"].format(scala=artifact["scala_version"])
    )
    try:
        versions = maven_versions(fetch(url, artifact["timeout"]))
    except urllib.error.HTTPError as error:
        if artifact["product"] == "kafka" and error.code == 404:
            return False, f"{label}: Maven has no Kafka build for Scala {artifact['scala_version']} ({url})"
        return None, f"{url}: {error}"
    except ElementTree.ParseError as error:
        return None, f"{url}: {error}"
    except (urllib.error.URLError, OSError) as error:
        return None, f"{url}: {getattr(error, 'reason', error)}"
    if artifact["version"] in versions:
        return True, f"{label}: on Maven ({url})"
    return False, f"{label}: no such release on Maven ({url}); its latest: {', '.join(versions[-4:])}"


def _in_apache_archive(artifact: dict, fetch) -> tuple[bool | None, str]:
    layout, label = LAYOUTS[artifact["product"]], _label(artifact)
    index = artifact["apache_mirror"].rstrip("/") + "/"
    entry = layout["apache"].format(version=artifact["version"])
    try:
        if not apache_index_lists(fetch(index, artifact["timeout"]), entry):
            return False, f"{label}: no such release in the Apache archive ({index})"
        if artifact["product"] == "kafka":
            name = layout["file"].format(scala=artifact["scala_version"], version=artifact["version"])
            if not apache_index_lists(fetch(index + entry, artifact["timeout"]), name):
                return False, f"{label}: the Apache archive has no {name} ({index}{entry})"
    except (urllib.error.URLError, OSError) as error:
        return None, f"{index}: {getattr(error, 'reason', error)}"
    return True, f"{label}: in the Apache archive ({index}{entry})"


def check(artifact: dict, fetch=_fetch) -> tuple[bool, str]:
    """(exists, how it is known) for one artifact of the model (model.artifacts): the cache first,
    then the sources kafka_artifact_source allows, in the order the role tries them."""
    if cached_file(artifact).exists():
        return True, f"{_label(artifact)}: in the controller's cache ({cached_file(artifact)})"
    sources = {
        "auto": (_in_apache_archive, _on_maven),
        "apache": (_in_apache_archive,),
        "maven": (_on_maven,),
    }
    reasons = []
    for source in sources[artifact["source"]]:
        found, how = source(artifact, fetch)
        if found is not None:
            return found, how
        reasons.append(how)
    return False, f"{_label(artifact)}: not cached, and no source could be asked: {'; '.join(reasons)}"
