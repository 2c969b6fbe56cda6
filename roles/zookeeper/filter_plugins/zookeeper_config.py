"""Filters that turn the zookeeper role's data into ZooKeeper configuration.

Kept out of templates so that each piece has its own unit test (tests/unit/test_zookeeper_filters.py)
and so that the same data always renders the same bytes.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

# zoo.cfg is read with java.util.Properties: the same escapes as any .properties file.
_VALUE_ESCAPES = [("\\", "\\\\"), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")]
_KEY_ESCAPES = [*_VALUE_ESCAPES, ("=", "\\="), (":", "\\:"), (" ", "\\ ")]
MAX_MYID = 255


def _escape(text: str, escapes: list[tuple[str, str]]) -> str:
    for raw, escaped in escapes:
        text = text.replace(raw, escaped)
    return text


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(_value(item) for item in value)
    if value is None:
        raise AnsibleFilterError("a zoo.cfg value cannot be null; remove the key instead")
    return str(value)


def zookeeper_cfg(config: dict) -> str:
    """Render a dict as zoo.cfg, sorted by key, one `key=value` a line."""
    if not isinstance(config, dict):
        raise AnsibleFilterError(f"zookeeper_cfg expects a dict, got {type(config).__name__}")
    lines = [
        f"{_escape(str(key), _KEY_ESCAPES)}={_escape(_value(value), _VALUE_ESCAPES)}"
        for key, value in sorted(config.items(), key=lambda item: str(item[0]))
    ]
    return "\n".join(lines) + ("\n" if lines else "")


def zookeeper_members(hosts: list[str], hostvars) -> list[dict]:
    """The `zookeeper_member` fact of every host of the ensemble, sorted by myid.

    Every member must have taken part in this run (the fact is set by tasks/member.yml), and
    carry a valid, unique myid: zoo.cfg lists the whole ensemble, so it cannot be rendered
    otherwise.
    """
    members, missing, problems = [], [], []
    for host in hosts:
        member = hostvars[host].get("zookeeper_member")
        if not member:
            missing.append(host)
            continue
        myid = member.get("myid")
        if not isinstance(myid, int) or isinstance(myid, bool) or not 1 <= myid <= MAX_MYID:
            problems.append(f"{host}: zookeeper_myid {myid!r} must be a whole number from 1 to {MAX_MYID}")
        members.append(dict(member))
    if missing:
        problems.append(
            f"{', '.join(sorted(missing))} not part of this run (a --limit?): the ensemble's "
            "configuration lists every member"
        )
    owners: dict[int, list[str]] = {}
    for member in members:
        owners.setdefault(member.get("myid"), []).append(member["host"])
    problems += [
        f"zookeeper_myid {myid} is used by more than one host: {', '.join(sorted(names))}"
        for myid, names in owners.items()
        if len(names) > 1
    ]
    if problems:
        raise AnsibleFilterError("; ".join(problems))
    return sorted(members, key=lambda member: member["myid"])


def zookeeper_server_entries(members: list[dict]) -> dict:
    """`server.<myid>: host:peer_port:election_port` for each member: the ensemble in zoo.cfg."""
    return {
        f"server.{m['myid']}": f"{m['advertised_host']}:{int(m['peer_port'])}:{int(m['election_port'])}"
        for m in members
    }


def zookeeper_connect(members: list[dict], chroot: str = "") -> str:
    """`host:port,...` of the members' client ports, with an optional chroot path after it."""
    if not members:
        raise AnsibleFilterError("no ZooKeeper members: the ensemble group is empty")
    servers = ",".join(f"{m['advertised_host']}:{int(m['client_port'])}" for m in members)
    return servers + (chroot or "")


class FilterModule:
    def filters(self):
        return {
            "zookeeper_cfg": zookeeper_cfg,
            "zookeeper_members": zookeeper_members,
            "zookeeper_server_entries": zookeeper_server_entries,
            "zookeeper_connect": zookeeper_connect,
        }
