"""Filters of the kafka_artifact role: reading what Apache publishes beside its releases."""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError

_HEX = re.compile(r"[0-9a-fA-F]{128}")


def kafka_artifact_sha512_digest(published: str) -> str:
    """The hex SHA-512 from an Apache `.sha512` file.

    Apache projects publish three shapes: `sha512sum` output (`<hex>  <file>`), GnuPG's
    `--print-md` output (`<file>: 3F2A 9C0B ...`, upper case, grouped, wrapped over lines) and
    OpenSSL's (`SHA512(<file>)= <hex>`).
    """
    compact = "".join(published.split())
    body = re.split(r"[:=]", compact)[-1]
    match = _HEX.match(body)
    if not match:
        raise AnsibleFilterError(f"no SHA-512 digest found in: {published[:200]!r}")
    return match.group(0).lower()


class FilterModule:
    def filters(self):
        return {"kafka_artifact_sha512_digest": kafka_artifact_sha512_digest}
