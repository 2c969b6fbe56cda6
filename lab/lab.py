#!/usr/bin/env python3
"""The local lab: systemd containers with sshd standing in for VMs, each with its own block device.

  lab.py up [--brokers N] [--controllers N] [--kafka-version V]   create or converge the lab hosts
                                                                  and write inventories/lab/hosts.yml
  lab.py bootstrap                                                print bootstrap.servers=...
  lab.py down                                                     remove hosts, network and disks

Each host gets a sparse file on a loop device as its data disk (passed in as /dev/xvdb, like an
EBS volume), sshd published on 127.0.0.1, and, for brokers, a Kafka listener published on
127.0.0.1 so clients on this machine can connect. The deploy playbook then runs over SSH, exactly
as against VMs. Running `up` again keeps every host, disk and key as it is.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / "lab" / ".state"
INVENTORY = ROOT / "inventories" / "lab" / "hosts.yml"
NETWORK = "kafkakit-lab"
LABEL = "kafkakit.lab"
DATA_DEVICE = "/dev/xvdb"
DISK_SIZE = "4G"
SSH_PORT_BASE = 2220
CLIENT_PORT_BASE = 19091
RACKS = ("lab-a", "lab-b", "lab-c")


def run(*args: str, check: bool = True, capture: bool = True) -> str:
    result = subprocess.run(args, capture_output=capture, text=True, check=False)
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout or "").strip()
        sys.exit(f"lab: {' '.join(args)} failed: {detail}")
    return (result.stdout or "").strip()


def log(message: str) -> None:
    print(f"lab: {message}", file=sys.stderr, flush=True)


def plan(brokers: int, controllers: int) -> list[dict]:
    """The lab's hosts: combined nodes when controllers is 0, else dedicated controllers too."""
    if brokers < 1:
        sys.exit("lab: BROKERS must be at least 1")
    if controllers < 0 or (controllers and controllers % 2 == 0):
        sys.exit("lab: CONTROLLERS must be 0 (combined nodes) or an odd number (1, 3, 5)")
    if not controllers and brokers % 2 == 0:
        sys.exit("lab: with CONTROLLERS=0 every broker is also a controller, so BROKERS must be odd")
    hosts = []
    for index in range(1, brokers + 1):
        name = f"kafka-{index}" if not controllers else f"broker-{index}"
        hosts.append(
            {
                "name": name,
                "groups": ["kafka_broker"] + ([] if controllers else ["kafka_controller"]),
                "node_id": index,
                "rack": RACKS[(index - 1) % len(RACKS)],
                "client_port": CLIENT_PORT_BASE + index,
            }
        )
    hosts += [
        {"name": f"controller-{index}", "groups": ["kafka_controller"], "node_id": 1000 + index}
        for index in range(1, controllers + 1)
    ]
    for number, host in enumerate(hosts, start=1):
        host["ssh_port"] = SSH_PORT_BASE + number
    return hosts


def build_images() -> str:
    images = run(str(ROOT / "lab" / "build-image.sh"), capture=True).splitlines()
    return images[-1]


def ensure_key() -> Path:
    key = STATE / "id_ed25519"
    if not key.exists():
        STATE.mkdir(parents=True, exist_ok=True)
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "kafkakit-lab", "-f", str(key))
    return key


def ensure_network() -> None:
    if not run("docker", "network", "ls", "--quiet", "--filter", f"name=^{NETWORK}$"):
        run("docker", "network", "create", "--label", LABEL, NETWORK)


def ensure_disk(name: str) -> str:
    """A loop device backed by a sparse file: an empty disk the first time, the same disk after."""
    disk = STATE / "disks" / f"{name}.img"
    if not disk.exists():
        disk.parent.mkdir(parents=True, exist_ok=True)
        run("truncate", "--size", DISK_SIZE, str(disk))
    attached = run("losetup", "--associated", str(disk), "--output", "NAME", "--noheadings", check=False)
    if attached:
        return attached.split(":")[0].splitlines()[0]
    return run("losetup", "--find", "--show", str(disk))


def container(name: str) -> str:
    return f"{NETWORK}-{name}"


def ensure_host(host: dict, image: str, public_key: str) -> None:
    name = container(host["name"])
    state = run("docker", "inspect", "--format", "{{.State.Status}}", name, check=False)
    if state == "running":
        return
    if state:
        log(f"starting {host['name']} again")
        run("docker", "start", name)
        return
    device = ensure_disk(host["name"])
    ports = ["--publish", f"127.0.0.1:{host['ssh_port']}:22"]
    if "client_port" in host:
        ports += ["--publish", f"127.0.0.1:{host['client_port']}:{host['client_port']}"]
    log(f"creating {host['name']} (data disk {device} as {DATA_DEVICE})")
    run(
        "docker",
        "run",
        "--detach",
        "--name",
        name,
        "--hostname",
        host["name"],
        "--network",
        NETWORK,
        "--network-alias",
        host["name"],
        "--label",
        LABEL,
        # systemd as PID 1, as lab.md verified: one capability, the host's cgroups, tmpfs mounts.
        "--cap-add",
        "SYS_ADMIN",
        "--cgroupns=host",
        "--volume",
        "/sys/fs/cgroup:/sys/fs/cgroup:rw",
        "--tmpfs",
        "/run",
        "--tmpfs",
        "/run/lock",
        "--tmpfs",
        "/tmp",
        "--device",
        f"{device}:{DATA_DEVICE}",
        *ports,
        image,
    )
    script = (
        "install -d -m 0700 -o admin -g admin /home/admin/.ssh && "
        f"echo '{public_key}' > /home/admin/.ssh/authorized_keys && "
        "chown admin:admin /home/admin/.ssh/authorized_keys && chmod 0600 /home/admin/.ssh/authorized_keys"
    )
    run("docker", "exec", name, "sh", "-c", script)


def wait_for_ssh(hosts: list[dict], key: Path) -> None:
    """Wait for sshd on every host, then record their host keys: the lab checks them like any fleet."""
    known_hosts = STATE / "known_hosts"
    deadline = time.monotonic() + 120
    lines = []
    for host in hosts:
        while True:
            scanned = run(
                "ssh-keyscan",
                "-t",
                "ed25519",
                "-p",
                str(host["ssh_port"]),
                "127.0.0.1",
                check=False,
            )
            if scanned:
                lines.append(scanned)
                break
            if time.monotonic() > deadline:
                sys.exit(f"lab: sshd on {host['name']} did not answer within 120 s")
            time.sleep(1)
    known_hosts.write_text("\n".join(sorted(lines)) + "\n")
    del key


def inventory(hosts: list[dict], key: Path, kafka_version: str) -> dict:
    groups: dict[str, dict] = {"kafka_controller": {"hosts": {}}, "kafka_broker": {"hosts": {}}}
    host_vars = {}
    for host in hosts:
        variables = {
            "ansible_port": host["ssh_port"],
            "kafka_node_id": host["node_id"],
            "host_prep_data_device": DATA_DEVICE,
        }
        if "rack" in host:
            variables["kafka_broker_rack"] = host["rack"]
        if "client_port" in host:
            variables["kafka_listeners_extra"] = [
                {
                    "name": "HOST",
                    "port": host["client_port"],
                    "protocol": "PLAINTEXT",
                    "advertised_host": "127.0.0.1",
                }
            ]
        host_vars[host["name"]] = variables
        for group in host["groups"]:
            groups[group]["hosts"][host["name"]] = None
    return {
        "all": {
            "hosts": host_vars,
            "vars": {
                "ansible_host": "127.0.0.1",
                "ansible_user": "admin",
                "ansible_ssh_private_key_file": str(key),
                "ansible_ssh_common_args": (
                    f"-o UserKnownHostsFile={STATE / 'known_hosts'} -o StrictHostKeyChecking=yes"
                ),
                "kafka_version": kafka_version,
            },
            "children": groups,
        }
    }


def up(args: argparse.Namespace) -> None:
    hosts = plan(args.brokers, args.controllers)
    existing = set(
        run("docker", "ps", "--all", "--filter", f"label={LABEL}", "--format", "{{.Names}}").split()
    )
    wanted = {container(h["name"]) for h in hosts}
    if existing - wanted:
        sys.exit(
            f"lab: a lab of another shape is running ({', '.join(sorted(existing - wanted))}); "
            "`make lab-down` first, or run with the same BROKERS and CONTROLLERS"
        )
    image = build_images()
    key = ensure_key()
    public_key = key.with_suffix(".pub").read_text().strip()
    ensure_network()
    for host in hosts:
        ensure_host(host, image, public_key)
    wait_for_ssh(hosts, key)
    INVENTORY.parent.mkdir(parents=True, exist_ok=True)
    document = inventory(hosts, key, args.kafka_version)
    INVENTORY.write_text(
        "# Written by lab/lab.py for the running lab; `make lab-down` removes it.\n"
        + yaml.safe_dump(document, sort_keys=True, default_flow_style=False)
    )
    (STATE / "lab.json").write_text(json.dumps({"hosts": hosts, "image": image}, indent=2))
    log(f"{len(hosts)} hosts up; inventory in {INVENTORY.relative_to(ROOT)}")


def bootstrap(_: argparse.Namespace) -> None:
    hosts = json.loads((STATE / "lab.json").read_text())["hosts"]
    servers = ",".join(f"127.0.0.1:{h['client_port']}" for h in hosts if "client_port" in h)
    print(f"bootstrap.servers={servers}")


def down(_: argparse.Namespace) -> None:
    names = run("docker", "ps", "--all", "--quiet", "--filter", f"label={LABEL}").split()
    if names:
        run("docker", "rm", "--force", "--volumes", *names)
    if run("docker", "network", "ls", "--quiet", "--filter", f"name=^{NETWORK}$"):
        run("docker", "network", "rm", NETWORK)
    for disk in sorted((STATE / "disks").glob("*.img")) if (STATE / "disks").exists() else []:
        for line in run("losetup", "--associated", str(disk), check=False).splitlines():
            run("losetup", "--detach", line.split(":")[0])
        disk.unlink()
    for leftover in ("lab.json", "known_hosts"):
        (STATE / leftover).unlink(missing_ok=True)
    INVENTORY.unlink(missing_ok=True)
    log("lab removed (hosts, network, disks)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    up_parser = sub.add_parser("up")
    up_parser.add_argument("--brokers", type=int, default=3)
    up_parser.add_argument("--controllers", type=int, default=0)
    up_parser.add_argument("--kafka-version", default="4.4.0")
    up_parser.set_defaults(func=up)
    sub.add_parser("bootstrap").set_defaults(func=bootstrap)
    sub.add_parser("down").set_defaults(func=down)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
