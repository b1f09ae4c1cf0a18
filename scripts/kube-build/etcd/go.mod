// Build-only module for scripts/kube-binaries.sh: compiles etcd from the
// go.etcd.io/etcd/server/v3 module (its root package is etcd's main).
module feldera-sidecar-injector/kube-build/etcd

go 1.26.0

tool go.etcd.io/etcd/server/v3

require go.etcd.io/etcd/server/v3 v3.6.16
