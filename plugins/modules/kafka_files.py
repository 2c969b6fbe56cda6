#!/usr/bin/python
"""Bring many directories and text files to their wanted state in one module run."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_files
short_description: Ensure several directories and text files, with their owner and mode, in one run.
description:
  - Brings each entry of I(files) to its wanted state, in order, and reports which changed. On a
    converged host that is one module run for the whole list, where the template and copy actions
    cost two per file (a stat, then the file module for the attributes) and the file module one per
    directory. The kit's re-runs spend most of their time on such rounds.
  - A file is written only when its bytes differ, under a temporary name in its directory with its
    owner and mode already set, then renamed into place, so that a reader never sees half of it or
    a secret with looser permissions.
  - The content is text the task renders on the controller (the template or file lookups), so a
    template stays in the role's templates directory, one hop from the file it renders.
  - Supports check mode and diff mode. A I(secret) entry is never shown, in a diff or anywhere in
    the module's output.
options:
  files:
    description: The directories and files, handled in this order (a directory before its files).
    type: list
    elements: dict
    required: true
    suboptions:
      dest:
        description: Absolute path of the directory or file; a relative one fails the task before any
          entry is handled.
        type: path
        required: true
      state:
        description: C(directory) makes missing directories (with their missing parents); C(file)
          writes I(content).
        type: str
        choices: [directory, file]
        default: file
      content:
        description: The file's text, written as UTF-8. Required with C(state=file).
        type: str
      owner:
        description: The owner's name; unset keeps a present file's owner, or the module's user.
        type: str
      group:
        description: The group's name; unset keeps a present file's group, or the module's group.
        type: str
      mode:
        description: The permissions, as an octal string such as C("0640").
        type: raw
      secret:
        description: The content holds a secret; it is left out of the diff and masked in every output.
        type: bool
        default: false
"""

EXAMPLES = r"""
- name: Render the configuration.
  kafkakit.kafka.kafka_files:
    files:
      - {dest: /etc/kafka, state: directory, owner: root, group: kafka, mode: "0750"}
      - dest: /etc/kafka/server.properties
        content: "{{ lookup('ansible.builtin.template', 'server.properties.j2') }}"
        owner: root
        group: kafka
        mode: "0640"
        secret: true
  register: _rendered
"""

RETURN = r"""
results:
  description: One entry per item of I(files), in order, with its dest, state and whether it changed.
  returned: always
  type: list
  elements: dict
changed_files:
  description: The dest of each entry that changed.
  returned: always
  type: list
  elements: str
"""

import os  # noqa: E402
import tempfile  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

ARGUMENT_SPEC = {
    "files": {
        "type": "list",
        "elements": "dict",
        "required": True,
        "options": {
            "dest": {"type": "path", "required": True},
            "state": {"type": "str", "choices": ["directory", "file"], "default": "file"},
            "content": {"type": "str"},
            "owner": {"type": "str"},
            "group": {"type": "str"},
            "mode": {"type": "raw"},
            "secret": {"type": "bool", "default": False},
        },
        "required_if": [("state", "file", ["content"])],
    },
}


def _attributes(entry: dict, path: str) -> dict:
    return {
        "path": path,
        "owner": entry["owner"],
        "group": entry["group"],
        "mode": entry["mode"],
        "attributes": None,
        "secontext": None,
    }


def ensure_directory(module: AnsibleModule, entry: dict, planned: set) -> tuple[bool, dict | None]:
    """Make the directory and its missing parents (each with the entry's attributes, as the file
    module does), then set its attributes."""
    dest = entry["dest"]
    if os.path.exists(dest) and not os.path.isdir(dest):
        module.fail_json(msg=f"{dest} exists and is not a directory.")
    missing = []
    path = dest
    while not os.path.exists(path):
        missing.append(path)
        path = os.path.dirname(path)
    diff = {"before": {"path": dest, "state": "absent"}, "after": {"path": dest, "state": "directory"}}
    if missing and module.check_mode:
        planned.update(missing)
        return True, diff
    for path in reversed(missing):
        os.mkdir(path)
        module.set_fs_attributes_if_different(_attributes(entry, path), False)
    changed = module.set_fs_attributes_if_different(_attributes(entry, dest), bool(missing))
    return changed, diff if missing else None


def ensure_file(module: AnsibleModule, entry: dict, planned: set) -> tuple[bool, dict | None]:
    """Write the content when it differs (atomically, attributes set first), then the attributes."""
    dest = entry["dest"]
    wanted = entry["content"].encode("utf-8")
    if os.path.isdir(dest):
        module.fail_json(msg=f"{dest} is a directory, not a file.")
    parent = os.path.dirname(dest)
    if parent in planned:
        # Check mode: an entry before this one would have made the directory.
        return True, None
    if not os.path.isdir(parent):
        module.fail_json(msg=f"The directory of {dest} does not exist: {parent}.")
    before = None
    if os.path.exists(dest):
        with open(dest, "rb") as handle:
            before = handle.read()
    diff = None
    if before != wanted and module._diff and not entry["secret"]:
        diff = {
            "before_header": dest,
            "after_header": dest,
            "before": (before or b"").decode("utf-8", "replace"),
            "after": entry["content"],
        }
    if before == wanted:
        return module.set_fs_attributes_if_different(_attributes(entry, dest), False), None
    if module.check_mode:
        return True, diff
    descriptor, staged = tempfile.mkstemp(prefix=f".{os.path.basename(dest)}.", dir=parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(wanted)
            handle.flush()
            os.fsync(handle.fileno())
        if before is not None:
            # Unset owner, group or mode keep the present file's, as a rewrite in place would.
            present = os.stat(dest)
            os.chown(staged, present.st_uid, present.st_gid)
            os.chmod(staged, present.st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(staged, 0o666 & ~umask)
        module.set_fs_attributes_if_different(_attributes(entry, staged), False)
        os.replace(staged, dest)
    except BaseException:
        if os.path.exists(staged):
            os.unlink(staged)
        raise
    return True, diff


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    # A relative dest would land wherever the module happens to run: refused before any entry is handled.
    relative = [entry["dest"] for entry in module.params["files"] if not os.path.isabs(entry["dest"])]
    if relative:
        module.fail_json(
            msg=f"dest must be an absolute path, not {', '.join(relative)}; nothing was changed."
        )
    for entry in module.params["files"]:
        if entry["secret"] and entry["content"]:
            module.no_log_values.add(entry["content"])
    results, diffs, planned = [], [], set()
    for entry in module.params["files"]:
        ensure = ensure_directory if entry["state"] == "directory" else ensure_file
        changed, diff = ensure(module, entry, planned)
        results.append({"dest": entry["dest"], "state": entry["state"], "changed": changed})
        if changed and diff:
            diffs.append(diff)
    module.exit_json(
        changed=any(result["changed"] for result in results),
        results=results,
        changed_files=[result["dest"] for result in results if result["changed"]],
        diff=diffs,
    )


if __name__ == "__main__":
    main()
