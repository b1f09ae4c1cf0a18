// What a reloaded configuration changes, and which of those changes a running process can take
// on. The listening sockets, the TLS files and the certificate controller are built from the
// configuration once, at start: a reload that changes them keeps the running values and names
// them, so nobody believes a port moved when it did not.
import type { Config } from './config.js';
import { isObject, type Json, type JsonObject } from '../json.js';

/** Settings (a section or a single key) that take effect only when the process starts. */
// events, namespacePolicy, cluster, pipeline.configSource and pipeline.configMap.namespaces decide
// which API clients and informer caches exist, and those are started once.
export const RESTART_ONLY: readonly string[] = ['server', 'tls', 'certificates', 'events', 'namespacePolicy', 'cluster', 'pipeline.configSource', 'pipeline.configMap.namespaces'];

export interface ConfigChange {
  /** The configuration to use from now on: the loaded one with the restart-only settings kept. */
  config: Config;
  /** Leaf setting paths that take effect now, sorted. */
  applied: string[];
  /** Leaf setting paths that differ but wait for a restart, sorted. */
  needsRestart: string[];
}

/** Leaf paths where two configuration trees differ; key order does not matter. */
export function changedPaths(a: Json | undefined, b: Json | undefined, path = ''): string[] {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => changedPaths(a[key], b[key], path === '' ? key : `${path}.${key}`));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => changedPaths(item, b[i]).length === 0) ? [] : [path];
  }
  return a === b ? [] : [path];
}

function within(path: string, setting: string): boolean {
  return path === setting || path.startsWith(`${setting}.`);
}

function valueAt(tree: JsonObject, path: string): Json | undefined {
  return path.split('.').reduce<Json | undefined>((node, key) => (isObject(node) ? node[key] : undefined), tree);
}

export function configChange(running: Config, loaded: Config): ConfigChange {
  const runningTree = running as unknown as JsonObject;
  const next = structuredClone(loaded) as unknown as JsonObject;
  const changed = changedPaths(runningTree, next);
  for (const setting of RESTART_ONLY) {
    const keys = setting.split('.');
    const last = keys.pop();
    const parent = keys.length === 0 ? next : valueAt(next, keys.join('.'));
    const kept = valueAt(runningTree, setting);
    if (last !== undefined && isObject(parent) && kept !== undefined) parent[last] = structuredClone(kept);
  }
  const waits = (path: string): boolean => RESTART_ONLY.some((setting) => within(path, setting));
  return {
    config: next as unknown as Config,
    applied: changed.filter((path) => !waits(path)),
    needsRestart: changed.filter(waits),
  };
}
