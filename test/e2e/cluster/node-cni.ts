// The node's pod network: a CNI plugin written here as a shell script. In the pod's network
// namespace it brings lo up and makes a veth pair with BOTH ends left in that namespace, eth0
// holding an address from the node's private /24 (containerd 1.6 wants an IP on eth0; this kernel
// has no `dummy` link type). Nothing is added to the host's namespace: no bridge, no route, no
// iptables rule, so no traffic from a pod ever leaves it, and the host never sends any to a pod.
// A sidecar reaches its pipeline on 127.0.0.1 inside the pod, which is all the feature needs.
// Addresses are tracked as files in the plugin's state folder (one per address, naming the
// container), under a flock.
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CNI_NETWORK_NAME = 'feldera-e2e';
const PLUGIN_TYPE = 'feldera-e2e-veth';

export interface NodeCni {
  binDir: string;
  confDir: string;
  stateDir: string;
  /** e.g. 10.244.0 (addresses .2 to .254) */
  subnetPrefix: string;
}

function pluginScript(stateDir: string, ip: string, nsenter: string, subnetPrefix: string): string {
  return `#!/bin/bash
# ${PLUGIN_TYPE}: written by test/e2e/cluster/node-cni.ts (see there).
set -euo pipefail
state=${JSON.stringify(stateDir)}
prefix=${JSON.stringify(subnetPrefix)}
log() { echo "$(date -u +%FT%TZ) $CNI_COMMAND \${CNI_CONTAINERID:-} $*" >>"$state/plugin.log"; }
fail() { log "error: $2"; printf '{"cniVersion":"1.0.0","code":%d,"msg":"%s"}\\n' "$1" "$2"; exit 1; }
case "\${CNI_COMMAND:-}" in
  VERSION)
    echo '{"cniVersion":"1.0.0","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0"]}'
    ;;
  ADD)
    conf="$(cat)"
    version="$(printf '%s' "$conf" | sed -n 's/.*"cniVersion"[[:space:]]*:[[:space:]]*"\\([^"]*\\)".*/\\1/p')"
    exec 9>"$state/lock"
    flock 9
    addr=""
    for i in $(seq 2 254); do
      if [ ! -e "$state/ip-$i" ]; then echo "$CNI_CONTAINERID" >"$state/ip-$i"; addr="$i"; break; fi
    done
    [ -n "$addr" ] || fail 11 "no free address in $prefix.0/24"
    ${nsenter} --net="$CNI_NETNS" /bin/sh -c "
      set -e
      ${ip} link set lo up
      ${ip} link add $CNI_IFNAME type veth peer name peer0
      ${ip} addr add $prefix.$addr/24 dev $CNI_IFNAME
      ${ip} link set peer0 up
      ${ip} link set $CNI_IFNAME up
    " >>"$state/plugin.log" 2>&1 || { rm -f "$state/ip-$addr"; fail 11 "cannot set up $CNI_IFNAME in $CNI_NETNS"; }
    log "$prefix.$addr in $CNI_NETNS"
    printf '{"cniVersion":"%s","interfaces":[{"name":"%s","sandbox":"%s"}],"ips":[{"address":"%s/24","interface":0}]}\\n' \\
      "\${version:-1.0.0}" "$CNI_IFNAME" "$CNI_NETNS" "$prefix.$addr"
    ;;
  DEL)
    cat >/dev/null
    exec 9>"$state/lock"
    flock 9
    for f in "$state"/ip-*; do
      [ -e "$f" ] || continue
      if [ "$(cat "$f")" = "$CNI_CONTAINERID" ]; then rm -f "$f"; log "released \${f##*/ip-}"; fi
    done
    if [ -n "\${CNI_NETNS:-}" ] && [ -e "$CNI_NETNS" ]; then ${nsenter} --net="$CNI_NETNS" ${ip} link del "$CNI_IFNAME" 2>/dev/null || true; fi
    ;;
  CHECK | GC | STATUS)
    cat >/dev/null || true
    ;;
  *)
    fail 4 "unknown CNI_COMMAND \${CNI_COMMAND:-}"
    ;;
esac
`;
}

export function writeNodeCni(dir: string, options: { subnetPrefix: string; cniLoopback: string; ip: string; nsenter: string }): NodeCni {
  const binDir = join(dir, 'bin');
  const confDir = join(dir, 'net.d');
  const stateDir = join(dir, 'state');
  for (const d of [binDir, confDir, stateDir]) mkdirSync(d, { recursive: true });
  // containerd's CRI runs the loopback plugin for every pod, from the same bin dir.
  symlinkSync(options.cniLoopback, join(binDir, 'loopback'));
  const plugin = join(binDir, PLUGIN_TYPE);
  writeFileSync(plugin, pluginScript(stateDir, options.ip, options.nsenter, options.subnetPrefix));
  chmodSync(plugin, 0o755);
  writeFileSync(
    join(confDir, '10-feldera-e2e.conflist'),
    `${JSON.stringify({ cniVersion: '1.0.0', name: CNI_NETWORK_NAME, plugins: [{ type: PLUGIN_TYPE }] }, null, 2)}\n`,
  );
  return { binDir, confDir, stateDir, subnetPrefix: options.subnetPrefix };
}
