"""The kafka_artifact role's filter (plugins/filter/artifact.py): the SHA-512 digest out of the
`.sha512` file Apache publishes beside each release, in each of the shapes Apache projects use."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.kafkakit.kafka.plugins.filter.artifact import (
    FilterModule,
    kafka_artifact_sha512_digest,
)

HEX = "ab" * 64


def test_sha512_digest_from_sha512sum_output():
    assert kafka_artifact_sha512_digest(f"{HEX}  kafka_2.13-4.4.0.tgz\n") == HEX


def test_sha512_digest_from_gnupg_print_md_output():
    grouped = " ".join(HEX.upper()[i : i + 8] for i in range(0, 128, 8))
    published = f"kafka_2.13-4.4.0.tgz: {grouped[:70]}\n                      {grouped[70:]}\n"
    assert kafka_artifact_sha512_digest(published) == HEX


def test_sha512_digest_from_openssl_output():
    assert kafka_artifact_sha512_digest(f"SHA512(kafka_2.13-4.4.0.tgz)= {HEX.upper()}\n") == HEX


def test_sha512_digest_refuses_a_page_without_a_digest():
    with pytest.raises(
        AnsibleFilterError, match=r"^no SHA-512 digest found in: '<html>404 Not Found</html>'$"
    ):
        kafka_artifact_sha512_digest("<html>404 Not Found</html>")


def test_sha512_digest_refuses_a_digest_cut_short():
    with pytest.raises(AnsibleFilterError, match="no SHA-512 digest found"):
        kafka_artifact_sha512_digest(f"{HEX[:127]}  kafka_2.13-4.4.0.tgz\n")


def test_the_filter_is_registered():
    assert FilterModule().filters() == {"kafka_artifact_sha512_digest": kafka_artifact_sha512_digest}
