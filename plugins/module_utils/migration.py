"""The way back from a ZooKeeper to KRaft migration before it is finalized (docs/migration.md,
playbooks/rollback_to_zookeeper.yml, module kafka_migration_revert)."""

from __future__ import annotations


def revert_controller_epoch(zookeeper_epoch: int, *kraft_epochs: int | None) -> int | None:
    """What to write to <chroot>/controller_epoch before a ZooKeeper-mode broker is elected
    controller again; None when it is high enough already.

    While they migrate, the KRaft controllers write each partition's state znode with their Raft
    epoch as its controller_epoch, and the Raft epoch grows with every election of the quorum, far
    faster than /controller_epoch, which they raise by one per claim. A ZooKeeper controller is
    elected with /controller_epoch + 1; below a partition's controller_epoch it aborts that
    partition's leader election ("already written by another controller") and the partition stays
    offline (KAFKA-20488). /controller and /migration record the latest KRaft epoch (`kraft_epochs`;
    None or -1 where a znode is gone or was never written by KRaft)."""
    highest = max((epoch for epoch in kraft_epochs if epoch is not None and epoch >= 0), default=-1)
    return highest if zookeeper_epoch < highest else None
