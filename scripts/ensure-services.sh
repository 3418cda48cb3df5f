#!/usr/bin/env bash
# Make the real parts the tests use available: Debian's docker.io (engine started when none answers),
# mmdebstrap (offline base images from the machine's apt sources) and redis-server.
set -euo pipefail
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v git >/dev/null 2>&1 || need+=(git)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-services: need root to install: ${need[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! docker info >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-services: no Docker engine answers and we are not root to start one" >&2
    exit 1
  fi
  mkdir -p /var/log
  nohup dockerd >/var/log/porchbot-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "ensure-services: dockerd did not start; see /var/log/porchbot-dockerd.log" >&2; exit 1; }
fi
