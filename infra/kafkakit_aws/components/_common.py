"""Helpers shared by the components."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ..inventory import TAG_PREFIX

TYPE_PREFIX: Final = "kafka-kit:aws"
__all__ = ["CLUSTER_TAG", "TAG_PREFIX", "TYPE_PREFIX", "ArgsError", "require", "tags"]

CLUSTER_TAG: Final = f"{TAG_PREFIX}cluster"


class ArgsError(ValueError):
    """A component was given inconsistent arguments."""


def require(condition: bool, component: str, message: str) -> None:
    if not condition:
        raise ArgsError(f"{component}: {message}")


def tags(cluster: str, name: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Name plus the cluster tag every resource carries (the dynamic inventory filters on it)."""
    return {"Name": name, CLUSTER_TAG: cluster, **(extra or {})}
