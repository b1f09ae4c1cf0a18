// The I/O side of configuration: reads the YAML file, SIDECAR_INJECTOR_* environment variables
// and --set flags into layers for buildConfig. Precedence: defaults < file < env < --set.
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { Config } from './config.js';
import { buildConfig, nestedValue, resolveEnvPath, type Layer } from './build.js';
import { fail, injectorError, ok, type Result } from '../errors.js';
import type { Json } from '../json.js';

export const ENV_PREFIX = 'SIDECAR_INJECTOR_';
/** Names the config file when --config is not given. */
export const CONFIG_FILE_ENV = 'SIDECAR_INJECTOR_CONFIG';
/** A ConfigMap holds at most 1 MiB; a larger file is a mistake, not a configuration. */
export const CONFIG_FILE_MAX_BYTES = 1024 * 1024;

function scalar(text: string): Json {
  try {
    return parseYaml(text) as Json;
  } catch {
    return text;
  }
}

export interface LoadOptions {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** "path.to.key=value" strings from --set. */
  sets?: readonly string[];
  /** Applied last (named CLI flags such as --port). */
  overrides?: Layer[];
}

/** The config file these options name (--config, else $SIDECAR_INJECTOR_CONFIG), if any. */
export function configFile(options: LoadOptions): string | undefined {
  const file = options.file ?? options.env?.[CONFIG_FILE_ENV];
  return file === '' ? undefined : file;
}

/** Where and what, never the offending text: yaml's own message quotes the lines around it. */
function yamlProblem(error: unknown): string {
  if (!(error instanceof YAMLParseError)) return (error as Error).message;
  const what = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? error.code;
  const at = error.linePos?.[0];
  return at === undefined ? what : `line ${at.line}, column ${at.col}: ${what}`;
}

function readConfigFile(file: string): Result<Json> {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > CONFIG_FILE_MAX_BYTES) {
      return fail(injectorError('CONFIG_INVALID', `config file ${file} is ${size} bytes, more than the ${CONFIG_FILE_MAX_BYTES} a ConfigMap can hold`));
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return fail(injectorError('CONFIG_INVALID', `cannot read config file ${file}: ${(error as Error).message}`));
  }
  try {
    return ok((parseYaml(text) as Json) ?? {});
  } catch (error) {
    return fail(injectorError('CONFIG_INVALID', `config file ${file} is not valid YAML: ${yamlProblem(error)}`));
  }
}

export function loadConfig(options: LoadOptions = {}): Result<Config> {
  const env = options.env ?? {};
  const layers: Layer[] = [];
  const file = configFile(options);
  if (file !== undefined) {
    const values = readConfigFile(file);
    if (!values.ok) return values;
    layers.push({ source: file, values: values.value });
  }
  const unknown: string[] = [];
  for (const [name, value] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!name.startsWith(ENV_PREFIX) || name === CONFIG_FILE_ENV || value === undefined) continue;
    const path = resolveEnvPath(name.slice(ENV_PREFIX.length).split('__'));
    if (path === null) unknown.push(name);
    else layers.push({ source: `env ${name}`, values: nestedValue(path, scalar(value)) });
  }
  if (unknown.length > 0) {
    return fail(
      injectorError(
        'CONFIG_INVALID',
        `unknown configuration variable(s) ${unknown.join(', ')}: use ${ENV_PREFIX}<SECTION>__<KEY>, e.g. ${ENV_PREFIX}PIPELINE__ALLOW_INIT_CONTAINERS=false`,
      ),
    );
  }
  for (const set of options.sets ?? []) {
    const eq = set.indexOf('=');
    if (eq <= 0) return fail(injectorError('CONFIG_INVALID', `--set ${set}: expected path.to.key=value, e.g. --set pipeline.allowInitContainers=false`));
    layers.push({ source: `--set ${set.slice(0, eq)}`, values: nestedValue(set.slice(0, eq).split('.'), scalar(set.slice(eq + 1))) });
  }
  layers.push(...(options.overrides ?? []));
  return buildConfig(layers);
}
