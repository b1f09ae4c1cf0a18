// A kubelet registered as node <address> (127.0.0.N): --hostname-override=127.0.0.N makes both node
// addresses that loopback address, so nothing is ever looked up and the apiserver reaches the
// kubelet on loopback (kubelet refuses --node-ip=127.x). It authenticates to the apiserver with a
// node certificate from the cluster CA (CN=system:node:<name>, O=system:nodes; the apiserver runs
// the Node authorizer), serves a certificate from the same CA that the apiserver verifies
// (--kubelet-certificate-authority), and authorises the apiserver's client certificate by webhook
// (SubjectAccessReview), so `kubectl logs` and `exec` go through the apiserver as in a real cluster.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { spawnManaged, type ManagedProcess } from './processes.js';

export interface KubeletOptions {
  dir: string;
  logFile: string;
  kubelet: string;
  nodeName: string;
  /** 127.0.0.N: where the kubelet listens, and the node's address. */
  address: string;
  port: number;
  healthzPort: number;
  kubeconfig: string;
  clientCAFile: string;
  tlsCertFile: string;
  tlsKeyFile: string;
  containerdSocket: string;
  /** A cgroup (in every hierarchy) that exists; the kubelet puts kubepods under it. */
  cgroupRoot: string;
  env: NodeJS.ProcessEnv;
  tempDir?: string;
}

export interface Kubelet {
  rootDir: string;
  configFile: string;
  process: ManagedProcess;
}

export function kubeletConfiguration(options: KubeletOptions, paths: { podLogsDir: string }): Record<string, unknown> {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: options.address,
    port: options.port,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: options.healthzPort,
    tlsCertFile: options.tlsCertFile,
    tlsPrivateKeyFile: options.tlsKeyFile,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: options.clientCAFile } },
    authorization: { mode: 'Webhook' },
    containerRuntimeEndpoint: `unix://${options.containerdSocket}`,
    imageServiceEndpoint: `unix://${options.containerdSocket}`,
    // cgroup v1 hierarchies on this VM: kubelet 1.34 refuses v1 unless told (it warns it is in maintenance mode).
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    cgroupRoot: options.cgroupRoot,
    cgroupsPerQOS: true,
    failSwapOn: false,
    // A full-ish shared disk must not evict test pods, and nothing can be pulled again once removed.
    evictionHard: { 'memory.available': '50Mi', 'nodefs.available': '1%', 'nodefs.inodesFree': '1%', 'imagefs.available': '1%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    // No cluster DNS: pods get the kubelet's default (and never reach any server: their network is sealed).
    clusterDomain: 'cluster.local',
    resolvConf: '',
    podLogsDir: paths.podLogsDir,
    makeIPTablesUtilChains: false,
    protectKernelDefaults: false,
    serializeImagePulls: false,
    registerNode: true,
    nodeStatusReportFrequency: '10s',
    nodeStatusUpdateFrequency: '5s',
    // Fast feedback for tests: sync and status often, small restart back-off is not configurable.
    syncFrequency: '5s',
    fileCheckFrequency: '20s',
    volumeStatsAggPeriod: '0s',
    shutdownGracePeriod: '0s',
    maxPods: 60,
    staticPodPath: '',
    volumePluginDir: join(options.dir, 'volume-plugins'),
  };
}

export function startKubelet(options: KubeletOptions): Kubelet {
  const rootDir = join(options.dir, 'root');
  const podLogsDir = join(options.dir, 'pod-logs');
  for (const d of [rootDir, podLogsDir, join(options.dir, 'volume-plugins'), join(options.dir, 'certs')]) mkdirSync(d, { recursive: true });
  const configFile = join(options.dir, 'kubelet-config.yaml');
  writeFileSync(configFile, stringify(kubeletConfiguration(options, { podLogsDir })));
  const proc = spawnManaged({
    name: 'kubelet',
    command: options.kubelet,
    args: [
      `--config=${configFile}`,
      `--kubeconfig=${options.kubeconfig}`,
      `--root-dir=${rootDir}`,
      `--cert-dir=${join(options.dir, 'certs')}`,
      `--hostname-override=${options.nodeName}`,
      '--v=1',
    ],
    logFile: options.logFile,
    env: options.env,
    tempDir: options.tempDir,
  });
  return { rootDir, configFile, process: proc };
}
