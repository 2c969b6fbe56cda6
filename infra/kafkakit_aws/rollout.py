"""Node-at-a-time changes to the machines (pure).

A change to the AMI, the SSH key or the root volume's KMS key replaces an instance, and a new
instance type stops and starts it. Applied to every node in one `pulumi up`, any of them takes
the whole cluster down. So the program reads the running fleet (fleet.py) and keeps every existing
node on the machine it runs now; only the node named in `rollNodes` moves to the configured one
(it alone is unprotected for that run, so Pulumi may replace it; its data volume stays and is
re-attached). New nodes start on the configured machine. What still waits is reported, with the
command to roll the next node.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

from .settings import ConfigError


@dataclass(frozen=True)
class Machine:
    ami: str
    instance_type: str
    key_name: str | None
    root_kms_key_id: str | None
    """None: the account's default EBS key."""

    def changes_to(self, desired: Machine) -> list[str]:
        """What differs, in `desired`'s terms; a root KMS key left to the default is no change."""
        out = []
        for f in fields(self):
            old, new = getattr(self, f.name), getattr(desired, f.name)
            if f.name == "root_kms_key_id" and new is None:
                continue
            if old != new:
                out.append(f"{f.name} {old or '(none)'} -> {new or '(none)'}")
        return out


@dataclass(frozen=True)
class LiveNode:
    """A cluster instance as the EC2 API shows it."""

    name: str
    instance_id: str
    machine: Machine


@dataclass(frozen=True)
class Rollout:
    machines: Mapping[str, Machine]
    """The machine each planned node gets in this run."""
    rolling: str | None
    """The node that moves to its configured machine in this run (unprotected for it)."""
    pending: Mapping[str, tuple[str, ...]]
    """Existing nodes that still run another machine than configured, with what differs."""
    warnings: tuple[str, ...]


def plan_rollout(
    desired: Mapping[str, Machine], live: Sequence[LiveNode], roll_nodes: Sequence[str]
) -> Rollout:
    """Keep existing nodes on their machines except the one being rolled."""
    unknown = [name for name in roll_nodes if name not in desired]
    if unknown:
        raise ConfigError(
            [f"rollNodes names {', '.join(unknown)}, which the cluster has no node of ({', '.join(desired)})"]
        )
    by_name: dict[str, list[LiveNode]] = {}
    for node in live:
        by_name.setdefault(node.name, []).append(node)
    warnings: list[str] = []
    machines: dict[str, Machine] = {}
    pending: dict[str, tuple[str, ...]] = {}
    for name, wanted in desired.items():
        current = by_name.get(name, [])
        if len(current) > 1:
            ids = ", ".join(n.instance_id for n in current)
            warnings.append(f"{name}: {len(current)} instances carry its node tag ({ids}); finish that first")
        if not current or name in roll_nodes:
            machines[name] = wanted
            continue
        # Prefer the instance that already runs the configured machine (the replacement).
        now = next((n.machine for n in current if not n.machine.changes_to(wanted)), current[0].machine)
        machines[name] = now
        changes = now.changes_to(wanted)
        if changes:
            pending[name] = tuple(changes)
    rolling = roll_nodes[0] if roll_nodes else None
    if rolling in by_name and not by_name[rolling][0].machine.changes_to(desired[rolling]):
        warnings.append(
            f"rollNodes: {rolling} already runs its configured machine; pulumi config rm rollNodes"
        )
    if pending:
        first = next(iter(pending))
        listed = "; ".join(f"{name}: {', '.join(change)}" for name, change in pending.items())
        warnings.append(
            f"{len(pending)} node(s) keep their current machine until rolled one at a time ({listed}). "
            f"Roll the next with: pulumi config set --path 'rollNodes[0]' {first} && make aws "
            "(its deploy waits until the cluster is healthy again), then the next node; "
            "pulumi config rm rollNodes when all are done"
        )
    return Rollout(machines=machines, rolling=rolling, pending=pending, warnings=tuple(warnings))
