// Shared by the server tests (not a test itself: tap only runs *.test.ts): real certificates in a
// temp dir, a real server on 127.0.0.1 port 0 with captured logs, and a small HTTPS client.
import { X509Certificate } from 'node:crypto';
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { Test } from 'tap';
import { writeDevCertificates, type DevCertificates } from '../../src/pki/index.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.js';
import { startServer, type ServerHandle, type ServerOptions } from '../../src/server/index.js';

const { applyPatch } = fastJsonPatch;

export const FIXTURE_PATH = new URL('../fixtures/admission-review-pipeline-pod.json', import.meta.url);

export async function fixtureText(): Promise<string> {
  return readFile(FIXTURE_PATH, 'utf8');
}

export async function tempDir(t: Test, prefix = 'fsi-server-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function devCerts(t: Test): Promise<DevCertificates & { dir: string }> {
  const dir = await tempDir(t, 'fsi-certs-');
  const written = await writeDevCertificates(dir);
  if (!written.ok) throw new Error(written.error.message);
  return { ...written.value, dir };
}

/** pino into memory, so tests read exactly what operators would. */
export interface CapturedLogger {
  logger: Logger;
  lines: Record<string, unknown>[];
  raw: string[];
}

export function captureLogger(level: pino.LevelWithSilent = 'debug'): CapturedLogger {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const logger = pino(
    { level },
    {
      write(line: string) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  return { logger, lines, raw };
}

export function testConfig(tls: Partial<Config['tls']> & Pick<Config['tls'], 'certFile' | 'keyFile'>, server: Partial<Config['server']> = {}): Config {
  return {
    ...DEFAULT_CONFIG,
    server: { ...DEFAULT_CONFIG.server, host: '127.0.0.1', port: 0, metricsHost: '127.0.0.1', metricsPort: 0, drainSeconds: 1, ...server },
    tls: { clientCAFile: null, ...tls },
  };
}

export interface TestServer {
  handle: ServerHandle;
  logs: CapturedLogger;
  certs: DevCertificates & { dir: string };
  ca: string;
}

export async function startTestServer(
  t: Test,
  extra: { server?: Partial<Config['server']>; options?: Partial<ServerOptions> } = {},
): Promise<TestServer> {
  const certs = await devCerts(t);
  const logs = captureLogger();
  const config = testConfig({ certFile: certs.files.tlsCert, keyFile: certs.files.tlsKey }, extra.server);
  const handle = await startServer(config, { logger: logs.logger, ...extra.options });
  t.teardown(() => handle.close());
  return { handle, logs, certs, ca: certs.caCertPem };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Serial of the certificate the server presented on this connection. */
  serial: string | null;
  json(): unknown;
}

export interface RequestOptions {
  port: number;
  ca: string;
  method?: string;
  path?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  agent?: Agent | false;
  cert?: string;
  key?: string;
  /** Send the body without Content-Length (chunked). */
  chunked?: boolean;
}

export function https(options: RequestOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = options.body;
    const headers: Record<string, string> = { ...options.headers };
    if (body !== undefined && !options.chunked) headers['content-length'] = String(Buffer.byteLength(body));
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: options.port,
        method: options.method ?? 'POST',
        path: options.path ?? '/mutate',
        headers,
        ca: options.ca,
        agent: options.agent ?? false,
        ...(options.cert !== undefined ? { cert: options.cert, key: options.key } : {}),
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        const peer = socket.getPeerCertificate?.();
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            serial: peer !== undefined && peer !== null && 'serialNumber' in peer ? peer.serialNumber : null,
            json: () => JSON.parse(text) as unknown,
          });
        });
      },
    );
    // A server that answers 413 early may reset the upload; the answer already arrived by then.
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

export function http(port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, serial: null, json: () => JSON.parse(text) as unknown });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export const JSON_HEADERS = { 'content-type': 'application/json' };

/** The serial as node:tls reports it (uppercase hex, no separators). */
export function serialOf(certPem: string): string {
  return new X509Certificate(certPem).serialNumber;
}

/**
 * A folder laid out the way kubelet mounts a Secret: the files are symlinks through `..data`,
 * which points at a timestamped folder and is swapped atomically on update.
 */
export class KubeletSecretDir {
  private generation = 0;
  private current: string | null = null;

  constructor(readonly dir: string) {}

  async write(files: Record<string, string>): Promise<void> {
    this.generation += 1;
    const stamp = `..2026_11_24_12_00_${String(this.generation).padStart(2, '0')}.${process.pid}`;
    await mkdir(join(this.dir, stamp));
    for (const [name, content] of Object.entries(files)) await writeFile(join(this.dir, stamp, name), content);
    await symlink(stamp, join(this.dir, '..data_tmp'));
    await rename(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    if (this.current === null) {
      for (const name of Object.keys(files)) await symlink(join('..data', name), join(this.dir, name));
    } else {
      await rm(join(this.dir, this.current), { recursive: true, force: true });
    }
    this.current = stamp;
  }
}

/** The value of one series (name with its labels, as exposed) in a /metrics text; NaN when absent. */
export function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` is true or the time is up; returns whether it became true. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5000, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return check();
}

export interface RawExchange {
  /** Everything the server sent before it closed the connection. */
  text: string;
  /** From the moment the TLS connection was up to the server's close. */
  closedAfterMs: number;
}

/**
 * Opens a TLS connection, writes `payload` (nothing when null), then stays silent and waits for
 * the server to close; gives up (rejects) after `giveUpMs`.
 */
export function silentClient(port: number, ca: string, payload: string | null, giveUpMs: number): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    let upAt = 0;
    let text = '';
    const socket = tlsConnect({ host: '127.0.0.1', port, ca }, () => {
      upAt = performance.now();
      if (payload !== null) socket.write(payload);
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the connection within ${giveUpMs} ms`));
    }, giveUpMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedAfterMs: performance.now() - upAt });
    });
  });
}

/** Splits a raw HTTP/1.1 answer into status, headers and body. */
export function parseRawAnswer(text: string): { status: number; headers: Record<string, string>; body: string } {
  const end = text.indexOf('\r\n\r\n');
  const head = (end < 0 ? text : text.slice(0, end)).split('\r\n');
  const status = Number(head[0]?.split(' ')[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, body: end < 0 ? '' : text.slice(end + 4) };
}

/** The pod of a review body, as an independent deep copy (JSON keeps "__proto__" keys as data). */
export function podOf(reviewText: string): Record<string, unknown> {
  return (JSON.parse(reviewText) as { request: { object: Record<string, unknown> } }).request.object;
}

/** The RFC 6902 operations of an answer's base64 patch. */
export function decodePatch(patch: unknown): Operation[] {
  if (typeof patch !== 'string') throw new Error('the answer has no patch');
  return JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) as Operation[];
}

/** Applies an answer's patch to a deep copy of the pod with fast-json-patch, as the apiserver would. */
export function applyAnswerPatch(reviewText: string, patch: unknown): Record<string, unknown> {
  return applyPatch(podOf(reviewText), decodePatch(patch), true, true).newDocument;
}
