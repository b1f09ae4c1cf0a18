#!/usr/bin/env node
// CLI entry: parse arguments, load the configuration, dispatch to serve | inject | certs.
// Everything that touches the world starts here or in server/ and certs/.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { Layer } from './config/build.js';
import type { Config } from './config/config.js';
import { loadConfig } from './config/load.js';
import { writeDevCertificates } from './pki/dev-certificates.js';
import { runInject, type OutputFormat } from './cli/inject.js';
import { USAGE } from './cli/usage.js';
import { createLogger, installSignalHandlers, startServer, StartupError } from './server/index.js';
import type { CertificateController } from './cert-controller/controller.js';
import { alsoStopping } from './cert-controller/shutdown.js';

const OPTIONS = {
  config: { type: 'string' },
  set: { type: 'string', multiple: true },
  dev: { type: 'boolean' },
  host: { type: 'string' },
  port: { type: 'string' },
  'metrics-port': { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  'client-ca': { type: 'string' },
  'log-level': { type: 'string' },
  file: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  out: { type: 'string' },
  hosts: { type: 'string' },
  service: { type: 'string' },
  namespace: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function fatal(message: string, code = 2): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

/** Named flags become the last configuration layer; numbers are checked by buildConfig. */
function flagLayer(values: Values): Layer[] {
  const layer: Record<string, Record<string, string | number>> = { server: {}, tls: {}, log: {} };
  const num = (text: string): number | string => (/^\d+$/.test(text) ? Number(text) : text);
  if (values.dev) {
    layer.server!.host = '127.0.0.1';
    layer.server!.metricsHost = '127.0.0.1';
  }
  if (values.host !== undefined) layer.server!.host = values.host;
  if (values.port !== undefined) layer.server!.port = num(values.port);
  if (values['metrics-port'] !== undefined) layer.server!.metricsPort = num(values['metrics-port']);
  if (values.cert !== undefined) layer.tls!.certFile = values.cert;
  if (values.key !== undefined) layer.tls!.keyFile = values.key;
  if (values['client-ca'] !== undefined) layer.tls!.clientCAFile = values['client-ca'];
  if (values['log-level'] !== undefined) layer.log!.level = values['log-level'];
  return [{ source: 'flags', values: layer }];
}

function configFrom(values: Values): Config {
  const config = loadConfig({ file: values.config, env: process.env, sets: values.set ?? [], overrides: flagLayer(values) });
  if (!config.ok) fatal(config.error.message);
  return config.value;
}

async function serve(values: Values): Promise<void> {
  const config = configFrom(values);
  const logger = createLogger(config.log.level);
  const { certFile, keyFile } = config.tls;
  if (values.dev && (!existsSync(certFile) || !existsSync(keyFile))) {
    const dir = dirname(certFile);
    const written = await writeDevCertificates(dir);
    if (!written.ok) fatal(written.error.message);
    logger.info({ dir, hosts: written.value.hosts }, 'generated dev certificates (git-ignored; never use them in a cluster)');
  }
  // selfManaged: the Secret, tls.certFile/keyFile and the caBundle are in place before the server reads the files.
  let certificates: CertificateController | null = null;
  if (config.certificates.mode === 'selfManaged') {
    // Imported here: @kubernetes/client-node takes ~2 s to load, which files mode and `inject` never need.
    const { startCertificateController } = await import('./cert-controller/controller.js');
    const started = await startCertificateController(config, { logger });
    if (!started.ok) fatal(`${started.error.code}: ${started.error.message}`);
    certificates = started.value;
  }
  try {
    const handle = await startServer(config, { logger });
    installSignalHandlers(alsoStopping(handle, certificates), logger);
    logger.info(
      {
        https: `https://${config.server.host}:${handle.port}/mutate`,
        metrics: `http://${config.server.metricsHost}:${handle.metricsPort}/metrics`,
        allowInitContainers: config.pipeline.allowInitContainers,
        annotation: config.pipeline.runtimeConfigAnnotation,
        placement: config.sidecars.placement,
        podSecurity: config.policy.podSecurity,
      },
      // The server's own "serving admissions" line has the ports, mTLS and the certificate;
      // this one says where to point kube-apiserver and what the policy switches are.
      'ready for admissions',
    );
  } catch (error) {
    if (error instanceof StartupError) fatal(error.message);
    throw error;
  }
}

async function certs(values: Values): Promise<void> {
  const dir = values.out ?? 'certs';
  const hosts = values.hosts?.split(',').map((h) => h.trim()).filter((h) => h !== '') ?? [];
  const written = await writeDevCertificates(dir, { hosts, serviceName: values.service, namespace: values.namespace });
  if (!written.ok) fatal(written.error.message);
  process.stdout.write(`wrote ${Object.values(written.value.files).join(', ')}\nSANs: ${written.value.hosts.join(', ')}\n`);
}

function inject(values: Values): void {
  if (values.file === undefined) fatal('inject needs -f FILE (or -f - for standard input)');
  const output = values.output;
  if (output !== undefined && !['yaml', 'json', 'patch', 'review'].includes(output)) fatal(`--output must be yaml, json, patch or review, got ${output}`);
  const config = configFrom(values);
  process.exitCode = runInject(values.file, output as OutputFormat | undefined, config, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    fatal(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (rest.length > 0) fatal(`unexpected argument ${rest[0]}\n\n${USAGE}`);
  switch (command) {
    case 'serve':
      return serve(values);
    case 'inject':
      return inject(values);
    case 'certs':
      return certs(values);
    default:
      fatal(`unknown command ${command}\n\n${USAGE}`);
  }
}

await main(process.argv.slice(2));
