// The command line's flags, and how the named ones become the last configuration layer. Shared by
// every command so `--config` and `--set` mean the same thing everywhere.
import { parseArgs } from 'node:util';
import type { Layer } from '../config/build.js';
import type { Config } from '../config/config.js';
import { loadConfig, type LoadOptions } from '../config/load.js';

export const OPTIONS = {
  config: { type: 'string' },
  'config-reload': { type: 'string' },
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
  kubeconfig: { type: 'string' },
  live: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Exit status 2: the command line, the input or the configuration is unusable. */
export function fatal(message: string, code = 2): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

/** Named flags become the last configuration layer; numbers are checked by buildConfig. */
function flagLayer(values: Values): Layer[] {
  const layer: Record<string, Record<string, string | number>> = { server: {}, tls: {}, log: {}, cluster: {} };
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
  if (values.kubeconfig !== undefined) layer.cluster!.kubeconfig = values.kubeconfig;
  return [{ source: 'flags', values: layer }];
}

/** Every layer the command line names; `serve` keeps them to re-read the file with the same overrides. */
export function loadOptionsFrom(values: Values): LoadOptions {
  return { file: values.config, env: process.env, sets: values.set ?? [], overrides: flagLayer(values) };
}

export function configFrom(values: Values): Config {
  const config = loadConfig(loadOptionsFrom(values));
  if (!config.ok) fatal(config.error.message);
  return config.value;
}
