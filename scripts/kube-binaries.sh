#!/usr/bin/env bash
# Builds the real Kubernetes binaries (kube-apiserver, kube-controller-manager,
# kubelet, kubectl), etcd and helm from the Go module proxy, for the
# end-to-end tests. No Docker, no release downloads: only `go build`.
#
#   scripts/kube-binaries.sh [all|kube|etcd|helm]     (default: all)
#   scripts/kube-binaries.sh agnhost   Kubernetes' e2e test binary, for `npm run bench`
#                                      only (not part of `all`)
#   scripts/kube-binaries.sh scheduler   kube-scheduler (the real node's scheduler; part of `all`)
#   scripts/kube-binaries.sh crictl      crictl (the real node's teardown; part of `all`)
#   scripts/kube-binaries.sh 1.35|1.36|1.37|matrix
#                            kube-apiserver and kube-controller-manager of another minor (the
#                            version matrix; `matrix` = all three), into
#                            ${KUBE_VERSIONS_DIR:-<repo>/.cache/kube}/<version>/bin; not part of `all`
#
# Output goes to ${KUBE_BIN_DIR:-<repo>/.cache/kube/bin}. Each binary gets a
# <name>.stamp file next to it; when the stamp matches (same version, same
# go.mod/go.sum, same flags) the binary is reused instead of rebuilt.
#
# Versions are pinned by the build-only Go modules under scripts/kube-build/
# (go.mod + go.sum are committed, builds use -mod=readonly, so they are
# reproducible and never rewrite those files). To change a version, edit the
# module there and run `go mod tidy` in it.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODULES_DIR="$REPO_ROOT/scripts/kube-build"
BIN_DIR="${KUBE_BIN_DIR:-$REPO_ROOT/.cache/kube/bin}"

usage() {
  echo "usage: $0 [all|kube|etcd|helm|scheduler|crictl|agnhost|1.35|1.36|1.37|matrix]" >&2
}

die() {
  echo "kube-binaries: ERROR: $*" >&2
  exit 1
}

target="${1:-all}"
case "$target" in
  all | kube | etcd | helm | scheduler | crictl | agnhost | 1.35 | 1.36 | 1.37 | matrix) ;;
  -h | --help) usage; exit 0 ;;
  *) usage; die "unknown target '$target'" ;;
esac
[ $# -le 1 ] || { usage; die "too many arguments"; }

command -v go >/dev/null 2>&1 || die "'go' not found on PATH (Go >= 1.26 is needed; try PATH=/usr/local/go/bin:\$PATH)"

# Static binaries; never pick up a go.work from a parent directory.
export CGO_ENABLED=0
export GOWORK=off

mkdir -p "$BIN_DIR"
BIN_DIR="$(cd "$BIN_DIR" && pwd)"

# Serialise concurrent runs (e.g. parallel test jobs) on the same bin dir.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$BIN_DIR/.lock"
  flock 9
fi

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum | cut -d' ' -f1; else shasum -a 256 | cut -d' ' -f1; fi
}

# Version of a module as pinned in a build module's go.mod (require lines).
required_version() { # <module dir> <module path>
  local v
  v="$(awk -v m="$2" '$1 == m && $2 ~ /^v/ { print $2; exit }' "$1/go.mod")"
  [ -n "$v" ] || die "$2 is not required in $1/go.mod"
  echo "$v"
}

human_duration() {
  local s=$1
  if [ "$s" -ge 60 ]; then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}

# build_one <name> <version> <module dir> <package> <ldflags> <version args> <regexp>
# Builds <package> into $BIN_DIR/<name>, then checks that `<name> <version args>`
# (split on spaces) prints something matching <regexp>.
build_one() {
  local name=$1 version=$2 moddir=$3 pkg=$4 ldflags=$5 version_arg=$6 check=$7
  local out="$BIN_DIR/$name" stamp="$BIN_DIR/$name.stamp"
  local fingerprint
  fingerprint="$(cat "$moddir/go.mod" "$moddir/go.sum" <(printf '%s\n' "$pkg" "$ldflags" "CGO_ENABLED=$CGO_ENABLED") | sha256)"
  local want="$name $version $fingerprint"

  if [ -x "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "reusing $name $version ($out)"
    return 0
  fi

  echo "building $name $version from the Go module proxy (first run: several minutes)..."
  rm -f "$stamp"
  local tmp="$BIN_DIR/.$name.tmp.$$" start=$SECONDS
  # -mod=readonly: go.mod/go.sum are committed and complete; fail rather than
  # silently re-resolving dependencies.
  if ! (cd "$moddir" && go build -mod=readonly -trimpath -ldflags "$ldflags" -o "$tmp" "$pkg"); then
    rm -f "$tmp"
    die "building $name $version failed (module ${moddir#"$REPO_ROOT"/}, package $pkg); see the go output above"
  fi

  local reported
  local -a version_args
  read -ra version_args <<<"$version_arg"
  if ! reported="$("$tmp" "${version_args[@]}" 2>&1)"; then
    rm -f "$tmp"
    die "$name $version was built but '$name $version_arg' failed: $reported"
  fi
  if ! grep -Eq -- "$check" <<<"$reported"; then
    rm -f "$tmp"
    die "$name was built but reports '$reported' (expected to match '$check')"
  fi

  mv -f "$tmp" "$out"
  echo "$want" >"$stamp"
  echo "built $name $version in $(human_duration $((SECONDS - start))) ($(du -h "$out" | cut -f1)) -> $out"
}

build_kube() {
  local moddir="$MODULES_DIR/kubernetes"
  local version major minor staging build_date
  version="$(required_version "$moddir" k8s.io/kubernetes)"
  [[ "$version" =~ ^v([0-9]+)\.([0-9]+)\.[0-9]+$ ]] || die "unexpected k8s.io/kubernetes version '$version'"
  major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}

  # k8s.io/kubernetes requires its staging modules (k8s.io/api, ...) at v0.0.0;
  # scripts/kube-build/kubernetes/go.mod must replace every one of them with
  # the tag that matches the kubernetes release (v1.X.Y -> v0.X.Y).
  staging="v0${version#v"$major"}"
  local bad
  bad="$(awk -v want="$staging" '$1 ~ /^k8s\.io\// && $2 == "=>" && $4 != want { print $1 " => " $3 " " $4 }' "$moddir/go.mod")"
  [ -z "$bad" ] || die "staging replaces in $moddir/go.mod do not match $staging for kubernetes $version:
$bad"

  # buildDate = the release's commit time from the proxy (reproducible).
  build_date="$(cd "$moddir" && go list -mod=readonly -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' k8s.io/kubernetes)" ||
    die "could not look up k8s.io/kubernetes $version on the Go module proxy"

  # Same variables as kubernetes' hack/lib/version.sh. The module proxy does
  # not carry the git commit, so gitCommit is left empty.
  local ldflags="-s -w" pkgvar
  for pkgvar in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkgvar.gitVersion=$version -X $pkgvar.gitMajor=$major -X $pkgvar.gitMinor=$minor"
    ldflags+=" -X $pkgvar.gitCommit= -X $pkgvar.gitTreeState=clean -X $pkgvar.buildDate=$build_date"
  done

  local name
  for name in kube-apiserver kube-controller-manager kubelet; do
    build_one "$name" "$version" "$moddir" "k8s.io/kubernetes/cmd/$name" "$ldflags" --version "^Kubernetes ${version//./\\.}\$"
  done
  build_one kubectl "$version" "$moddir" k8s.io/kubernetes/cmd/kubectl "$ldflags" "version --client" "^Client Version: ${version//./\\.}\$"
}

build_etcd() {
  local moddir="$MODULES_DIR/etcd" version
  version="$(required_version "$moddir" go.etcd.io/etcd/server/v3)"
  # The root package of go.etcd.io/etcd/server/v3 is etcd's main; the version
  # it reports is a constant in go.etcd.io/etcd/api/v3/version.
  build_one etcd "$version" "$moddir" go.etcd.io/etcd/server/v3 "-s -w" --version "^etcd Version: ${version#v}\$"
}

build_helm() {
  local moddir="$MODULES_DIR/helm" version client_go k8s_minor
  version="$(required_version "$moddir" helm.sh/helm/v3)"
  # Like helm's Makefile: the default .Capabilities.KubeVersion (helm template,
  # helm lint) follows the client-go minor helm is built against.
  client_go="$(required_version "$moddir" k8s.io/client-go)"
  [[ "$client_go" =~ ^v0\.([0-9]+)\. ]] || die "unexpected k8s.io/client-go version '$client_go' in $moddir/go.mod"
  k8s_minor=${BASH_REMATCH[1]}
  local v=helm.sh/helm/v3/internal/version
  local ldflags="-s -w -X $v.version=$version -X $v.metadata= -X $v.gitCommit= -X $v.gitTreeState=clean"
  ldflags+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$k8s_minor"
  ldflags+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$k8s_minor"
  build_one helm "$version" "$moddir" helm.sh/helm/v3/cmd/helm "$ldflags" version "Version:\"${version//./\\.}\""
}

# agnhost (k8s.io/kubernetes/test/images/agnhost) at the apiserver's version: the Go
# webhook the benchmark compares with (`agnhost webhook`). Its own module, so the
# apiserver's build module does not carry agnhost's extra dependencies.
build_agnhost() {
  local moddir="$MODULES_DIR/agnhost" version kube_version src image_version
  version="$(required_version "$moddir" k8s.io/kubernetes)"
  kube_version="$(required_version "$MODULES_DIR/kubernetes" k8s.io/kubernetes)"
  [ "$version" = "$kube_version" ] ||
    die "agnhost is pinned to k8s.io/kubernetes $version in $moddir/go.mod but the apiserver is $kube_version"
  local staging="v0${version#v1}" bad
  bad="$(awk -v want="$staging" '$1 ~ /^k8s\.io\// && $2 == "=>" && $4 != want { print $1 " => " $3 " " $4 }' "$moddir/go.mod")"
  [ -z "$bad" ] || die "staging replaces in $moddir/go.mod do not match $staging for kubernetes $version:
$bad"
  # Like agnhost's Makefile: main.Version is the image version in test/images/agnhost/VERSION.
  src="$(cd "$moddir" && go mod download -json k8s.io/kubernetes | awk -F'"' '$2 == "Dir" { print $4; exit }')" ||
    die "could not fetch k8s.io/kubernetes $version from the Go module proxy"
  image_version="$(cat "$src/test/images/agnhost/VERSION")" || die "no test/images/agnhost/VERSION in $src"
  build_one agnhost "$version" "$moddir" k8s.io/kubernetes/test/images/agnhost \
    "-s -w -X main.Version=$image_version" --version "^app version ${image_version//./\\.}\$"
}

# build_kube_binaries <module dir> <bin dir> <name>...: k8s.io/kubernetes/cmd/<name> from a build
# module, with the version variables of kubernetes' hack/lib/version.sh (as build_kube sets them).
build_kube_binaries() {
  local moddir=$1 dir=$2
  shift 2
  local version major minor staging build_date bad
  version="$(required_version "$moddir" k8s.io/kubernetes)"
  [[ "$version" =~ ^v([0-9]+)\.([0-9]+)\.[0-9]+$ ]] || die "unexpected k8s.io/kubernetes version '$version' in $moddir/go.mod"
  major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
  staging="v0${version#v"$major"}"
  bad="$(awk -v want="$staging" '$1 ~ /^k8s\.io\// && $2 == "=>" && $4 != want { print $1 " => " $3 " " $4 }' "$moddir/go.mod")"
  [ -z "$bad" ] || die "staging replaces in $moddir/go.mod do not match $staging for kubernetes $version:
$bad"
  build_date="$(cd "$moddir" && go list -mod=readonly -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' k8s.io/kubernetes)" ||
    die "could not look up k8s.io/kubernetes $version on the Go module proxy"
  local ldflags="-s -w" pkgvar name
  for pkgvar in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkgvar.gitVersion=$version -X $pkgvar.gitMajor=$major -X $pkgvar.gitMinor=$minor"
    ldflags+=" -X $pkgvar.gitCommit= -X $pkgvar.gitTreeState=clean -X $pkgvar.buildDate=$build_date"
  done
  for name in "$@"; do
    BIN_DIR="$dir" build_one "$name" "$version" "$moddir" "k8s.io/kubernetes/cmd/$name" "$ldflags" --version "^Kubernetes ${version//./\\.}\$"
  done
}

# ---- the real node's scheduler -------------------------------------------------------------
# kube-scheduler from its own build module (scripts/kube-build/kube-scheduler), pinned to the same
# k8s.io/kubernetes as ../kubernetes: adding it there would have changed that go.mod and so the
# stamps (and the builds) of every binary made from it.
build_scheduler() {
  local moddir="$MODULES_DIR/kube-scheduler" version kube_version
  version="$(required_version "$moddir" k8s.io/kubernetes)"
  kube_version="$(required_version "$MODULES_DIR/kubernetes" k8s.io/kubernetes)"
  [ "$version" = "$kube_version" ] ||
    die "kube-scheduler is pinned to k8s.io/kubernetes $version in $moddir/go.mod but the apiserver is $kube_version"
  build_kube_binaries "$moddir" "$BIN_DIR" kube-scheduler
}

# ---- crictl (the node's teardown) ------------------------------------------------------------
build_crictl() {
  local moddir="$MODULES_DIR/cri-tools" version
  version="$(required_version "$moddir" sigs.k8s.io/cri-tools)"
  build_one crictl "$version" "$moddir" sigs.k8s.io/cri-tools/cmd/crictl \
    "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$version" --version "^crictl version ${version//./\\.}\$"
}

# ---- the version matrix ----------------------------------------------------------------------
# kube-apiserver and kube-controller-manager of another minor, from scripts/kube-build/kubernetes-1.N,
# into $KUBE_VERSIONS_DIR/<version>/bin. Modules whose go directive needs a newer Go than the one on
# PATH build with GOTOOLCHAIN=go1.27.3, which the go command fetches from the Go module proxy.
MATRIX_MINORS=(1.35 1.36 1.37)
VERSIONS_DIR="${KUBE_VERSIONS_DIR:-$REPO_ROOT/.cache/kube}"
MATRIX_TOOLCHAIN=go1.27.3

matrix_bin_dir() { # <minor> -> the bin dir of that minor's pinned version
  local moddir="$MODULES_DIR/kubernetes-$1"
  [ -f "$moddir/go.mod" ] || die "no build module $moddir for Kubernetes $1"
  echo "$VERSIONS_DIR/$(required_version "$moddir" k8s.io/kubernetes)/bin"
}

build_matrix_version() { # <minor>
  local moddir="$MODULES_DIR/kubernetes-$1" dir
  dir="$(matrix_bin_dir "$1")"
  mkdir -p "$dir"
  local need have
  need="$(awk '$1 == "go" { print $2; exit }' "$moddir/go.mod")"
  have="$(go env GOVERSION)"
  have="${have#go}"
  if [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -n1)" != "$need" ] || [ "${1#1.}" -ge 36 ]; then
    # k8s 1.36 and later need Go 1.27 (see /work/.library/env notes; the README says the same).
    GOTOOLCHAIN="$MATRIX_TOOLCHAIN" build_kube_binaries "$moddir" "$dir" kube-apiserver kube-controller-manager
  else
    build_kube_binaries "$moddir" "$dir" kube-apiserver kube-controller-manager
  fi
}

case "$target" in
  all) build_kube; build_etcd; build_helm; build_scheduler; build_crictl ;;
  kube) build_kube ;;
  etcd) build_etcd ;;
  helm) build_helm ;;
  agnhost) build_agnhost ;;
  scheduler) build_scheduler ;;
  crictl) build_crictl ;;
  1.35 | 1.36 | 1.37) build_matrix_version "$target" ;;
  matrix) for minor in "${MATRIX_MINORS[@]}"; do build_matrix_version "$minor"; done ;;
esac

echo "binaries in $BIN_DIR"
