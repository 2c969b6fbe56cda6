#!/usr/bin/env python3
"""Health gate for a ZooKeeper ensemble, built on the four-letter words `ruok` and `srvr`.

  zookeeper-health ensemble --servers H:P,H:P,H:P   every member answers imok and serves; exactly
                                                     one leader, every other member a follower
                                                     (a single member runs standalone)
--timeout SECONDS retries until the check passes or time runs out (exit 1, with the last reason).
Output is one line, so Ansible and people read the same thing. Needs only Python 3: the members
must whitelist ruok and srvr (4lw.commands.whitelist).
"""

from __future__ import annotations

import argparse
import socket
import sys
import time


class NotHealthy(Exception):
    pass


def four_letter_word(server: str, word: str, timeout: float = 5) -> str:
    """Send a four-letter word to host:port and return the whole answer."""
    host, _, port = server.rpartition(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        conn.sendall(word.encode())
        chunks = []
        while chunk := conn.recv(4096):
            chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


def parse_srvr(answer: str) -> dict[str, str]:
    """`srvr` answers `Key: value` lines; a member without a quorum says it is not serving."""
    if "not currently serving requests" in answer:
        raise NotHealthy("not serving requests (no quorum)")
    fields = {}
    for line in answer.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    if "Mode" not in fields:
        raise NotHealthy(f"unexpected srvr answer: {answer.strip()[:120]!r}")
    return fields


def verdict(modes: dict[str, str]) -> str:
    """The ensemble's health from each member's mode; raises NotHealthy with the reason."""
    if len(modes) == 1:
        ((server, mode),) = modes.items()
        if mode != "standalone":
            raise NotHealthy(f"{server} is the only member but runs as {mode}, not standalone")
        return f"ensemble healthy: 1 member, {server} standalone"
    leaders = sorted(s for s, m in modes.items() if m == "leader")
    followers = sorted(s for s, m in modes.items() if m == "follower")
    others = sorted(f"{s} ({m})" for s, m in modes.items() if m not in ("leader", "follower"))
    if len(leaders) != 1:
        raise NotHealthy(f"{len(leaders)} leaders ({', '.join(leaders) or 'none'}), expected exactly one")
    if others:
        raise NotHealthy(f"members neither leader nor follower: {', '.join(others)}")
    return f"ensemble healthy: leader {leaders[0]}, followers {', '.join(followers)}"


def ensemble(opts) -> str:
    modes = {}
    for server in opts.servers.split(","):
        try:
            if four_letter_word(server, "ruok", opts.socket_timeout).strip() != "imok":
                raise NotHealthy("did not answer imok to ruok")
            modes[server] = parse_srvr(four_letter_word(server, "srvr", opts.socket_timeout))["Mode"]
        except (OSError, ValueError, NotHealthy) as reason:
            raise NotHealthy(f"{server}: {reason}") from None
    return verdict(modes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=0, help="seconds to keep retrying")
    parser.add_argument("--interval", type=float, default=3)
    parser.add_argument("--socket-timeout", type=float, default=5)
    sub = parser.add_subparsers(dest="check", required=True)
    e = sub.add_parser("ensemble")
    e.add_argument("--servers", required=True, help="host:port of every member, comma-separated")
    opts = parser.parse_args()
    check = {"ensemble": ensemble}[opts.check]

    deadline = time.monotonic() + opts.timeout
    while True:
        try:
            print(check(opts))
            return 0
        except NotHealthy as reason:
            if time.monotonic() + opts.interval > deadline:
                print(f"not healthy after {opts.timeout:.0f}s: {reason}", file=sys.stderr)
                return 1
            time.sleep(opts.interval)


if __name__ == "__main__":
    sys.exit(main())
