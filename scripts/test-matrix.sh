#!/usr/bin/env bash
# The version matrix: the e2e suites against kube-apiserver (and kube-controller-manager) 1.34,
# 1.35, 1.36 and 1.37, each built from the Go module proxy by scripts/kube-binaries.sh (1.36 and
# later with GOTOOLCHAIN=go1.27.3) and cached under .cache/kube/.
#
#   scripts/test-matrix.sh            everything: the whole e2e suite on 1.34, the admission suites
#                                     (admission, tls, self-managed-certs, helm) on 1.35-1.37
#   scripts/test-matrix.sh --smoke    CI's subset on 1.35-1.37: test/e2e/admission.test.ts only
#   MATRIX_MINORS="1.37" scripts/test-matrix.sh --smoke    only some minors
#
# The node suites (node, in-cluster-webhook) run on 1.34 only: their kubelet and kube-scheduler are
# 1.34, which the version-skew policy does not allow under a newer apiserver by more than one minor.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
smoke=false
[ "${1:-}" = "--smoke" ] && smoke=true
read -ra minors <<<"${MATRIX_MINORS:-1.35 1.36 1.37}"
ADMISSION_SUITES=(test/e2e/admission.test.ts test/e2e/tls.test.ts test/e2e/self-managed-certs.test.ts test/e2e/helm.test.ts)
tap_e2e() { npx tap --timeout=600 --jobs=1 --disable-coverage "$@"; }

declare -a summary=()
failed=0
run_minor() { # <minor> <suites...>
  local minor=$1 start=$SECONDS
  shift
  echo "== matrix $minor: $*"
  if [ "$minor" != 1.34 ]; then scripts/kube-binaries.sh "$minor"; fi
  if E2E_KUBE_VERSION="$minor" tap_e2e "$@"; then
    summary+=("$minor: passed in $((SECONDS - start)) s ($*)")
  else
    summary+=("$minor: FAILED after $((SECONDS - start)) s ($*)")
    failed=$((failed + 1))
  fi
}

if [ "$smoke" = false ]; then run_minor 1.34 test/e2e/*.test.ts; fi
for minor in "${minors[@]}"; do
  if [ "$smoke" = true ]; then run_minor "$minor" test/e2e/admission.test.ts; else run_minor "$minor" "${ADMISSION_SUITES[@]}"; fi
done
printf '%s\n' "== matrix summary" "${summary[@]}"
[ "$failed" -eq 0 ]
