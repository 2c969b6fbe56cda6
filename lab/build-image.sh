#!/usr/bin/env bash
# Build the lab's base images locally (nothing can be pulled here) and tag them by the hash of
# this script, so a changed recipe makes new images and an unchanged one is never rebuilt.
#   kafkakit/debian:<suite>-<hash>      minbase Debian with systemd and sshd: a bare VM stand-in
#   kafkakit/debian-jre:<suite>-<hash>  the same plus what the roles would install (the JRE, xfsprogs,
#                                       Prometheus and its exporters), baked in once so tests do not
#                                       download them on every run; the services stay disabled until
#                                       a role enables them, as on a fresh host
# Prints the two image references on stdout, one a line.
set -euo pipefail

suite="${1:-bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
here="$(cd "$(dirname "$0")" && pwd)"
recipe_hash="$(cat "$0" "$here"/image/* | sha256sum | cut -c1-12)"
base="kafkakit/debian:${suite}-${recipe_hash}"
jre="kafkakit/debian-jre:${suite}-${recipe_hash}"

case "$suite" in
  bookworm) jre_package=openjdk-17-jre-headless ;;
  trixie) jre_package=openjdk-21-jre-headless ;;
  *) echo "build-image.sh: unsupported suite '$suite' (bookworm or trixie)" >&2; exit 2 ;;
esac

log() { echo "build-image: $*" >&2; }

if ! docker image inspect "$base" >/dev/null 2>&1; then
  rootfs="$(mktemp -d /tmp/kafkakit-rootfs.XXXXXX)"
  trap 'rm -rf "$rootfs"' EXIT
  log "debootstrap $suite into $rootfs (about a minute)"
  debootstrap --variant=minbase \
    --include=python3,python3-apt,systemd,systemd-sysv,dbus,iproute2,procps,sudo,openssh-server,util-linux,ca-certificates,gnupg \
    "$suite" "$rootfs" "$mirror" >&2
  # A VM stand-in: no getty on consoles that do not exist, sshd enabled, machine-id made at boot.
  rm -f "$rootfs"/etc/machine-id "$rootfs"/var/lib/dbus/machine-id
  touch "$rootfs"/etc/machine-id
  chroot "$rootfs" systemctl mask getty.target console-getty.service systemd-logind.service >&2 || true
  chroot "$rootfs" systemctl enable ssh.service >&2
  rm -f "$rootfs"/etc/ssh/ssh_host_*   # regenerated per container, so lab hosts do not share keys
  cp "$here/image/regenerate-host-keys.service" "$rootfs"/etc/systemd/system/
  chroot "$rootfs" systemctl enable regenerate-host-keys.service >&2
  # The same login as Debian's cloud images: `admin` with passwordless sudo, key-only SSH.
  chroot "$rootfs" useradd --create-home --shell /bin/bash admin
  echo 'admin ALL=(ALL) NOPASSWD:ALL' >"$rootfs"/etc/sudoers.d/90-admin
  chmod 0440 "$rootfs"/etc/sudoers.d/90-admin
  cp "$here/image/sshd-lab.conf" "$rootfs"/etc/ssh/sshd_config.d/lab.conf
  tar -C "$rootfs" -c . | docker import -c 'CMD ["/lib/systemd/systemd"]' - "$base" >&2
  log "built $base"
fi

if ! docker image inspect "$jre" >/dev/null 2>&1; then
  log "baking $jre_package, xfsprogs and Prometheus into $jre"
  builder="kafkakit-bake-$$"
  docker run --name "$builder" "$base" bash -c \
    "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $jre_package xfsprogs python3-cryptography prometheus prometheus-node-exporter prometheus-alertmanager && systemctl disable prometheus prometheus-node-exporter prometheus-alertmanager && apt-get clean && rm -rf /var/lib/apt/lists/*" >&2
  docker commit -c 'CMD ["/lib/systemd/systemd"]' "$builder" "$jre" >&2
  docker rm "$builder" >/dev/null
  log "built $jre"
fi

echo "$base"
echo "$jre"
