#!/usr/bin/env bash
# Make the real parts the tests use available: Debian's docker.io (engine started when none answers),
# mmdebstrap (offline base images from the machine's apt sources), redis-server, git and chromium.
#   scripts/ensure-services.sh            # all of them
#   scripts/ensure-services.sh docker     # only what the image builder needs (docker.io, mmdebstrap)
set -euo pipefail
want=${1:-all}
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
if [ "$want" = all ]; then
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  command -v git >/dev/null 2>&1 || need+=(git)
  # The dashboard's browser tests drive Debian's chromium through Playwright (no browser download).
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-services: need root to install: ${need[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # With recommends: docker.io's (apparmor, cgroupfs-mount...) are what the engine needs on some kernels.
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! docker info >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-services: no Docker engine answers and we are not root to start one" >&2
    exit 1
  fi
  # A machine with systemd starts the packaged unit; elsewhere (containers, CI runners) run dockerd
  # directly: it starts its own containerd when none is running.
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    systemctl start docker >/dev/null 2>&1 || true
  fi
  if ! docker info >/dev/null 2>&1; then
    mkdir -p /var/log
    nohup dockerd >/var/log/porchbot-dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "ensure-services: dockerd did not start; see /var/log/porchbot-dockerd.log" >&2; exit 1; }
fi
