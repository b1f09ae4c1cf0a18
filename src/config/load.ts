// The I/O side of configuration: reads the YAML file, SIDECAR_INJECTOR_* environment variables
// and --set flags into layers for buildConfig. Precedence: defaults < file < env < --set.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Config } from './config.js';
import { buildConfig, nestedValue, resolveEnvPath, type Layer } from './build.js';
import { fail, injectorError, type Result } from '../errors.js';
import type { Json } from '../json.js';

export const ENV_PREFIX = 'SIDECAR_INJECTOR_';
/** Names the config file when --config is not given. */
export const CONFIG_FILE_ENV = 'SIDECAR_INJECTOR_CONFIG';

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

export function loadConfig(options: LoadOptions = {}): Result<Config> {
  const env = options.env ?? {};
  const layers: Layer[] = [];
  const file = options.file ?? env[CONFIG_FILE_ENV];
  if (file !== undefined && file !== '') {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      return fail(injectorError('CONFIG_INVALID', `cannot read config file ${file}: ${(error as Error).message}`));
    }
    let values: Json;
    try {
      values = (parseYaml(text) as Json) ?? {};
    } catch (error) {
      return fail(injectorError('CONFIG_INVALID', `config file ${file} is not valid YAML: ${(error as Error).message}`));
    }
    layers.push({ source: file, values });
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
