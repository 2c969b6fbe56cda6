"""Filters that turn the zookeeper role's data into ZooKeeper configuration: the ensemble.

Kept out of templates so that each piece has its own unit test (tests/unit/test_zookeeper_filters.py).
zoo.cfg itself is read as a Java .properties file and rendered by the java_properties filter (role
java_properties, a dependency of this one).
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

MAX_MYID = 255


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
            "zookeeper_members": zookeeper_members,
            "zookeeper_server_entries": zookeeper_server_entries,
            "zookeeper_connect": zookeeper_connect,
        }
