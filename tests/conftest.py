"""Every suite imports the collection (this checkout, linked as collections/ansible_collections/
kafkakit/kafka) the way Ansible finds it: Ansible's collection finder, installed once, before any
test module or the Pulumi program's library imports a `ansible_collections.*` name."""

from pathlib import Path

from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

ROOT = Path(__file__).resolve().parents[1]
_AnsibleCollectionFinder(paths=[str(ROOT / "collections")])._install()
