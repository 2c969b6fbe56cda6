#!/usr/bin/env bash
# Install what the controller needs for the lab and the tests on Debian, then make sure the
# Docker engine runs. Safe to run again: it only installs what is missing.
set -euo pipefail

# command that must exist -> Debian package that brings it
declare -A wanted=(
  [dockerd]=docker.io
  [debootstrap]=debootstrap
  [mvn]=maven
  [javac]=default-jdk-headless
  [ssh-keyscan]=openssh-client
  [losetup]=mount
  [kcat]=kcat
  [make]=make
  # The monitoring tests: promtool checks the alert rules, headless Chromium reads Prometheus's UI.
  [promtool]=prometheus
  [chromium]=chromium
)
missing=()
for command in "${!wanted[@]}"; do
  command -v "$command" >/dev/null 2>&1 || missing+=("${wanted[$command]}")
done
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)

if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "prereqs: missing packages: ${missing[*]}; install them as root (apt-get install ...)" >&2
    exit 1
  fi
  echo "prereqs: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if ! docker info >/dev/null 2>&1; then
  echo "prereqs: starting the Docker engine" >&2
  setsid nohup dockerd >/var/log/dockerd.log 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "prereqs: dockerd did not start; see /var/log/dockerd.log" >&2; exit 1; }
fi
