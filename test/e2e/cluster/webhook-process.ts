// startWebhook(): the built webhook (`node dist/src/main.js serve`) as a child process on a fixed
// 127.0.0.1 port, serving a certificate issued by a test CA, optionally requiring client
// certificates (mTLS). Its JSON log lines are collected; stop()/restart() keep port and certificates
// so a MutatingWebhookConfiguration registered once stays valid.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { issueServingCertificate, type CertificateAndKey, type CertificateAuthority } from '../../../src/pki/index.js';
import { stringify } from 'yaml';
import { createCertFolder, swapCertFolder, type CertFolder } from './cert-folder.js';
import { createMountedFolder, swapMountedFolder, type MountedFolder } from './mounted-folder.js';
import { httpsRequest } from './https-request.js';
import { must, newAuthority } from './pki.js';
import { forgetRemoveAtExit, killStaleProcesses, removeAtExit, spawnManaged, tail, type ManagedProcess } from './processes.js';
import { repoRoot } from './paths.js';
import { ensureWebhookBuilt, webhookEntryPoint } from './webhook-build.js';
import { waitFor } from './wait.js';

export interface WebhookMtls {
  /** The CA callers' certificates must chain to (tls.clientCAFile). */
  clientCAFile: string;
  /** A certificate signed by that CA, for the harness's own /readyz probe. */
  probeClient: { cert: string; key: string };
}

export interface WebhookOptions {
  /** The port the webhook listens on (a control plane's webhookPort, so the apiserver's client identity matches). */
  port: number;
  /** Signs the serving certificate; share one between webhooks to keep a registration's caBundle valid. */
  ca?: CertificateAuthority;
  /** The first serving certificate (default: issued by `ca` for `hosts`). */
  serving?: CertificateAndKey;
  /** SANs of issued serving certificates (default 127.0.0.1). */
  hosts?: string[];
  /**
   * Configuration overrides, passed as --set key=value. events.mode is off unless set here: a
   * webhook records Events only in the tests that give it a kubeconfig (env KUBECONFIG).
   */
  set?: Record<string, string | number | boolean>;
  /**
   * A config file (an object written as YAML, or the text) in a folder laid out like a mounted
   * ConfigMap, passed with --config; writeConfig() swaps it the way the kubelet does. The --set
   * overrides above (listen settings, TLS paths) keep winning over it.
   */
  config?: Record<string, unknown> | string;
  /** Extra environment for the webhook process (KUBECONFIG for events). */
  env?: Record<string, string>;
  mtls?: WebhookMtls;
  /** Parent of the webhook's temp folder (default os.tmpdir()). */
  tmpRoot?: string;
  readyTimeoutMs?: number;
}

/** One line of the webhook's pino log (msg, level, and whatever the line carries). */
export type WebhookLogLine = Record<string, unknown> & { msg?: string };

export interface Webhook {
  port: number;
  /** Metrics port of the current run (0 before the first start finished). */
  metricsPort: number;
  url: string;
  ca: CertificateAuthority;
  /** base64 of the CA certificate: a MutatingWebhookConfiguration's caBundle. */
  caBundle: string;
  certFolder: CertFolder;
  /** The --config file, when started with `config`. */
  configFile: string | null;
  /** Replaces the config file in one atomic swap (throws without `config`). */
  writeConfig(config: Record<string, unknown> | string): void;
  logFile: string;
  /** Every JSON log line of every run, in order. */
  readonly lines: WebhookLogLine[];
  /** The `admission` lines (one per AdmissionReview answered). */
  admissions(): WebhookLogLine[];
  waitForLog(what: string, predicate: (line: WebhookLogLine) => boolean, timeoutMs?: number): Promise<WebhookLogLine>;
  /** Issues a new serving certificate from the same CA and swaps it in atomically; returns its serial (upper-case hex). */
  rotateCertificate(): string;
  /** Serial of the certificate the webhook presents on a new connection now. */
  servedSerial(): Promise<string>;
  isRunning(): boolean;
  /** The current (or last) process: its pid, and `exited` for tests that signal it themselves. */
  process(): ManagedProcess | null;
  stop(): Promise<void>;
  /** stop() then start again with the same port, certificates and configuration. */
  restart(): Promise<void>;
  /** Starts it again after stop(). */
  start(): Promise<void>;
  /** stop() and remove the temp folder. */
  dispose(): Promise<void>;
}

/** How long stop() waits after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5000;

export function serialOf(certPem: string): string {
  return new X509Certificate(certPem).serialNumber.toUpperCase();
}

export async function startWebhook(options: WebhookOptions): Promise<Webhook> {
  killStaleProcesses();
  ensureWebhookBuilt();
  const ca = options.ca ?? newAuthority('feldera-e2e webhook serving CA');
  const hosts = options.hosts ?? ['127.0.0.1'];
  const issue = (): CertificateAndKey => must(issueServingCertificate(ca, { hosts, validityDays: 7 }), 'webhook serving certificate');
  const dir = mkdtempSync(join(options.tmpRoot ?? tmpdir(), 'feldera-e2e-webhook-'));
  removeAtExit(dir);
  const certFolder = createCertFolder(join(dir, 'tls'), options.serving ?? issue());
  const configText = (config: Record<string, unknown> | string): { 'config.yaml': { content: string } } => ({
    'config.yaml': { content: typeof config === 'string' ? config : stringify(config) },
  });
  const configFolder: MountedFolder | null = options.config === undefined ? null : createMountedFolder(join(dir, 'config'), configText(options.config));
  const configFile = configFolder?.path('config.yaml') ?? null;
  const logFile = join(dir, 'webhook.log');
  const lines: WebhookLogLine[] = [];
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;

  const sets: Record<string, string | number | boolean> = {
    'server.host': '127.0.0.1',
    'server.port': options.port,
    'server.metricsHost': '127.0.0.1',
    'server.metricsPort': 0,
    'server.drainSeconds': 0,
    'tls.certFile': certFolder.certFile,
    'tls.keyFile': certFolder.keyFile,
    'events.mode': 'off',
    ...(options.mtls === undefined ? {} : { 'tls.clientCAFile': options.mtls.clientCAFile }),
    ...options.set,
  };
  const args = [
    webhookEntryPoint(),
    'serve',
    ...(configFile === null ? [] : ['--config', configFile]),
    ...Object.entries(sets).flatMap(([key, value]) => ['--set', `${key}=${String(value)}`]),
  ];
  // Only what we pass configures it: no SIDECAR_INJECTOR_* from the caller's environment.
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SIDECAR_INJECTOR_'))), ...options.env };

  let proc: ManagedProcess | null = null;
  let metricsPort = 0;

  const tlsClient = options.mtls?.probeClient ?? {};
  const start = async (): Promise<void> => {
    if (proc !== null && proc.exitInfo() === null) throw new Error('the webhook is already running');
    const firstLine = lines.length;
    proc = spawnManaged({
      name: 'webhook',
      command: process.execPath,
      args,
      logFile,
      env,
      cwd: repoRoot(),
      tempDir: process.env.E2E_KEEP_DIR === undefined ? dir : undefined,
      onStdoutLine: (text) => {
        try {
          lines.push(JSON.parse(text) as WebhookLogLine);
        } catch {
          lines.push({ msg: text, unparsed: true });
        }
      },
    });
    const current = proc;
    const died = (): string | null => {
      const info = current.exitInfo();
      return info === null ? null : `the webhook exited (code ${String(info.code)}, signal ${String(info.signal)})\n${tail(logFile, 30)}`;
    };
    const serving = await waitFor('the webhook to log "serving admissions"', () => lines.slice(firstLine).find((l) => l.msg === 'serving admissions'), {
      timeoutMs: readyTimeoutMs,
      intervalMs: 50,
      abort: died,
    });
    metricsPort = Number(serving.metricsPort);
    await waitFor(
      `webhook https://127.0.0.1:${options.port}/readyz`,
      async () => {
        const res = await httpsRequest({ url: `https://127.0.0.1:${options.port}/readyz`, ca: ca.cert, ...tlsClient, timeoutMs: 2000 });
        if (res.status === 200) return true;
        throw new Error(`HTTP ${res.status} ${res.text}`);
      },
      { timeoutMs: readyTimeoutMs, intervalMs: 100, abort: died },
    );
  };

  const stop = async (): Promise<void> => {
    if (proc === null || proc.exitInfo() !== null) return;
    const info = await proc.stop(STOP_GRACE_MS);
    if (info.escalated) {
      // Seen when kube-apiserver holds a TLS connection it never sent a request on: the server's
      // close() waits for it. Worth knowing (a pod would wait for its grace period), not fatal here.
      process.stderr.write(`[e2e] the webhook did not exit within ${STOP_GRACE_MS} ms of SIGTERM and was killed (${logFile})\n`);
    }
  };

  await start();

  const webhook: Webhook = {
    port: options.port,
    get metricsPort() {
      return metricsPort;
    },
    url: `https://127.0.0.1:${options.port}/mutate`,
    ca,
    caBundle: Buffer.from(ca.cert).toString('base64'),
    certFolder,
    configFile,
    writeConfig(config) {
      if (configFolder === null) throw new Error('this webhook was started without a config file');
      swapMountedFolder(configFolder, configText(config));
    },
    logFile,
    lines,
    admissions: () => lines.filter((l) => l.msg === 'admission'),
    waitForLog: (what, predicate, timeoutMs = 15_000) => waitFor(`webhook log: ${what}`, () => lines.find(predicate), { timeoutMs, intervalMs: 50 }),
    rotateCertificate() {
      const pem = issue();
      swapCertFolder(certFolder, pem);
      return serialOf(pem.cert);
    },
    servedSerial: () =>
      new Promise<string>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: options.port, ca: ca.cert, ...tlsClient }, () => {
          const serial = socket.getPeerCertificate().serialNumber.toUpperCase();
          socket.end();
          resolve(serial);
        });
        socket.setTimeout(5000, () => socket.destroy(new Error('TLS connect timed out')));
        socket.on('error', reject);
      }),
    isRunning: () => proc !== null && proc.exitInfo() === null,
    process: () => proc,
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
    async dispose() {
      await stop();
      if (process.env.E2E_KEEP_DIR !== undefined) return;
      rmSync(dir, { recursive: true, force: true });
      forgetRemoveAtExit(dir);
    },
  };
  return webhook;
}
