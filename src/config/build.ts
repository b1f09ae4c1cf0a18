// Layers (file, environment, flags) merged over DEFAULT_CONFIG into one validated Config. The
// defaults double as the schema: a key that is not in them is a typo and is refused with the
// path, so a platform engineer never wonders why a setting has no effect.
import { DEFAULT_CONFIG, type Config } from './config.js';
import { fail, injectorError, ok, type Result } from '../errors.js';
import { isObject, type Json, type JsonObject } from '../json.js';
import { isDns1123Label } from '../kube/names.js';
import { compareQuantities, parseQuantity } from '../kube/quantity.js';
import { quoteName } from '../messages.js';

/** Where a layer came from, for messages: "config.yaml", "env INJECTOR_SERVER__PORT", "--set". */
export interface Layer {
  source: string;
  values: Json;
}

// Paths whose value is an open map of resource name -> quantity rather than fixed keys.
const RESOURCE_MAPS = new Set([
  'sidecars.defaultResources.requests',
  'sidecars.defaultResources.limits',
  'policy.resourceCaps.requests',
  'policy.resourceCaps.limits',
]);
const NULLABLE: Record<string, 'string' | 'number'> = { 'tls.clientCAFile': 'string', 'policy.maxSidecars.max': 'number' };
const ENUMS: Record<string, readonly string[]> = {
  'policy.allowedImages.action': ['enforce', 'warn'],
  'policy.maxSidecars.action': ['enforce', 'warn'],
  'policy.resourceCaps.action': ['enforce', 'warn'],
  'policy.podSecurity.action': ['enforce', 'warn'],
  'policy.podSecurity.level': ['privileged', 'baseline', 'restricted'],
  'sidecars.placement': ['coordinator', 'all'],
  'pipeline.configSource': ['annotation', 'configMap', 'both'],
  'certificates.mode': ['files', 'selfManaged'],
  'events.mode': ['auto', 'on', 'off'],
  'log.level': ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
};
const PORTS = ['server.port', 'server.metricsPort', 'pipeline.port'];

function typeName(value: Json | undefined): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isObject(value)) return 'a map';
  return `a ${typeof value}`;
}

/** Merges one layer's value at `path` onto `target` (a fresh copy of the defaults), collecting errors. */
function mergeInto(target: JsonObject, values: Json, path: string, errors: string[]): void {
  if (!isObject(values)) {
    errors.push(`${path || 'top level'}: must be a map, got ${typeName(values)}`);
    return;
  }
  for (const [key, value] of Object.entries(values)) {
    const at = path ? `${path}.${key}` : key;
    if (RESOURCE_MAPS.has(path)) {
      if (typeof value === 'string' || typeof value === 'number') target[key] = typeof value === 'number' ? String(value) : value;
      else errors.push(`${at}: must be a quantity such as "250m" or "512Mi", got ${typeName(value)}`);
      continue;
    }
    if (!(key in target)) {
      errors.push(`${at}: unknown setting (known here: ${Object.keys(target).join(', ')})`);
      continue;
    }
    const current = target[key];
    if (RESOURCE_MAPS.has(at)) {
      if (!isObject(value)) errors.push(`${at}: must be a map of resource name to quantity, got ${typeName(value)}`);
      // A resource map given in a layer replaces the default one: defaults are a unit.
      else mergeInto((target[key] = {}), value, at, errors);
    } else if (isObject(current)) {
      mergeInto(current, value, at, errors);
    } else if (Array.isArray(current)) {
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) target[key] = value;
      else errors.push(`${at}: must be a list of strings, got ${typeName(value)}`);
    } else if (at in NULLABLE) {
      if (value === null || typeof value === NULLABLE[at]) target[key] = value;
      else errors.push(`${at}: must be ${NULLABLE[at]} or null, got ${typeName(value)}`);
    } else if (typeof value !== typeof current) {
      errors.push(`${at}: must be a ${typeof current}, got ${typeName(value)}`);
    } else {
      target[key] = value;
    }
  }
}

/** One informer per namespace: a bounded list of distinct namespace names. */
const MAX_WATCHED_NAMESPACES = 100;

function namespaceListErrors(path: string, names: readonly string[]): string[] {
  const errors: string[] = [];
  if (names.length > MAX_WATCHED_NAMESPACES) errors.push(`${path}: at most ${MAX_WATCHED_NAMESPACES} namespaces (one watch each), got ${names.length}; leave it empty to read every namespace`);
  const seen = new Set<string>();
  names.slice(0, MAX_WATCHED_NAMESPACES).forEach((name, i) => {
    if (!isDns1123Label(name)) errors.push(`${path}[${i}]: ${quoteName(name, 63)} is not a namespace name (lower-case letters, digits and '-', at most 63)`);
    else if (seen.has(name)) errors.push(`${path}[${i}]: ${name} is listed twice`);
    seen.add(name);
  });
  return errors;
}

function semanticErrors(config: Config): string[] {
  const errors: string[] = [];
  const flat = config as unknown as JsonObject;
  const at = (path: string): Json | undefined =>
    path.split('.').reduce<Json | undefined>((node, key) => (isObject(node) ? node[key] : undefined), flat);
  for (const [path, allowed] of Object.entries(ENUMS)) {
    const value = at(path);
    if (typeof value !== 'string' || !allowed.includes(value)) {
      errors.push(`${path}: must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
    }
  }
  for (const path of PORTS) {
    const value = at(path);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
      errors.push(`${path}: must be a port number 0-65535, got ${JSON.stringify(value)}`);
    }
  }
  for (const path of RESOURCE_MAPS) {
    const map = at(path);
    for (const [name, quantity] of Object.entries(isObject(map) ? map : {})) {
      const q = parseQuantity(quantity);
      if (q === null || q.negative) errors.push(`${path}.${name}: ${JSON.stringify(quantity)} is not a valid quantity (e.g. "500m", "512Mi")`);
    }
  }
  const { requests, limits } = config.sidecars.defaultResources;
  for (const [name, request] of Object.entries(requests)) {
    const limit = limits[name];
    const rq = parseQuantity(request);
    const lq = limit === undefined ? null : parseQuantity(limit);
    if (rq !== null && lq !== null && compareQuantities(rq, lq) > 0) {
      errors.push(`sidecars.defaultResources.requests.${name}: ${request} is above sidecars.defaultResources.limits.${name} ${limit}`);
    }
  }
  const max = config.policy.maxSidecars.max;
  if (max !== null && (!Number.isInteger(max) || max < 0)) errors.push(`policy.maxSidecars.max: must be a whole number >= 0 or null, got ${max}`);
  if (config.pipeline.runtimeConfigAnnotation === '') errors.push('pipeline.runtimeConfigAnnotation: must not be empty');
  const { nameTemplate, key } = config.pipeline.configMap;
  if (!nameTemplate.includes('{id}') || nameTemplate.length > 200) errors.push('pipeline.configMap.nameTemplate: must contain {id} (the pipeline id), e.g. "pipeline-{id}", and be at most 200 characters');
  if (key === '') errors.push('pipeline.configMap.key: must not be empty');
  errors.push(...namespaceListErrors('pipeline.configMap.namespaces', config.pipeline.configMap.namespaces));
  if (!(config.server.bodyLimitBytes > 0)) errors.push('server.bodyLimitBytes: must be a positive number');
  if (!Number.isInteger(config.events.queueSize) || config.events.queueSize < 1 || config.events.queueSize > 100_000) {
    errors.push(`events.queueSize: must be a whole number 1-100000, got ${config.events.queueSize}`);
  }
  if (!(config.events.seriesWindowSeconds > 0 && config.events.seriesWindowSeconds <= 3600)) {
    errors.push(`events.seriesWindowSeconds: must be above 0 and at most 3600, got ${config.events.seriesWindowSeconds}`);
  }
  if (!(config.server.drainSeconds >= 0)) errors.push('server.drainSeconds: must be 0 or more');
  if (config.tls.certFile === '' || config.tls.keyFile === '') errors.push('tls.certFile and tls.keyFile: must not be empty');
  return errors;
}

export function buildConfig(layers: readonly Layer[]): Result<Config> {
  const merged = structuredClone(DEFAULT_CONFIG) as unknown as JsonObject;
  const errors: string[] = [];
  for (const layer of layers) {
    const layerErrors: string[] = [];
    mergeInto(merged, layer.values, '', layerErrors);
    errors.push(...layerErrors.map((e) => `${layer.source}: ${e}`));
  }
  const config = merged as unknown as Config;
  if (errors.length === 0) errors.push(...semanticErrors(config));
  if (errors.length > 0) return fail(injectorError('CONFIG_INVALID', `invalid configuration:\n- ${errors.join('\n- ')}`));
  return ok(config);
}

/** "pipeline.allowInitContainers=false" -> the nested layer value (the right side read as YAML scalar). */
export function nestedValue(path: readonly string[], value: Json): Json {
  return path.reduceRight<Json>((inner, key) => ({ [key]: inner }), value);
}

/** Matches an env path (case-insensitive, '_' ignored) to the real key names in the defaults. */
export function resolveEnvPath(segments: readonly string[]): string[] | null {
  const normalise = (s: string): string => s.toLowerCase().replace(/_/g, '');
  let node: Json | undefined = DEFAULT_CONFIG as unknown as JsonObject;
  const path: string[] = [];
  for (const segment of segments) {
    const joined = path.join('.');
    if (RESOURCE_MAPS.has(joined)) {
      path.push(segment.toLowerCase().replace(/_/g, '-'));
      node = undefined;
      continue;
    }
    if (!isObject(node)) return null;
    const key: string | undefined = Object.keys(node).find((k) => normalise(k) === normalise(segment));
    if (key === undefined) return null;
    path.push(key);
    node = node[key];
  }
  return path;
}
