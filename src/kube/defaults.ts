// What kube-apiserver 1.34 adds to an init container of a Pod before admission webhooks see it
// (pkg/apis/core/v1/defaults.go and zz_generated.defaults.go: SetDefaults_Container, _Probe,
// _HTTPGetAction, _ObjectFieldSelector, the GRPC service and fileKeyRef.optional markers, and
// SetDefaults_Pod's requests-from-limits and host-network ports). Used only to compare a container
// the pod already has with one this webhook would render, and to rewrite one in place: the
// webhook never adds these to a sidecar it appends. One table, read by withApiserverDefaults() and
// by the canonical text (src/kube/canonical.ts) alike. test/e2e/sidecars-in-the-pod.test.ts checks
// it against the real apiserver.
import { isObject, type Json, type JsonObject } from '../json.js';
import { CONTAINER_SCHEMA, fieldsOf } from './container-schema.js';
import { defaultPullPolicy } from './image-reference.js';

export interface DefaultsContext {
  /** The pod uses the node's network: hostPort defaults to containerPort. */
  hostNetwork: boolean;
}

/**
 * A field's default, computed from the object; undefined: no default here. A merging default is
 * computed whatever the field holds (requests get each missing entry from limits).
 */
type FieldDefault = ((object: JsonObject, context: DefaultsContext) => Json | undefined) & { merges?: true };

const constant = (value: Json): FieldDefault => () => value;
const merging = (fill: (object: JsonObject, context: DefaultsContext) => Json | undefined): FieldDefault => Object.assign(fill, { merges: true as const });

/** Defaults by schema type and field. Non-pointer fields take theirs when empty ("", 0), pointers when absent. */
export const DEFAULTS: Readonly<Record<string, Readonly<Record<string, FieldDefault>>>> = {
  Container: {
    imagePullPolicy: (c) => defaultPullPolicy(typeof c.image === 'string' ? c.image : ''),
    terminationMessagePath: constant('/dev/termination-log'),
    terminationMessagePolicy: constant('File'),
  },
  ContainerPort: {
    protocol: constant('TCP'),
    hostPort: (p, context) => (context.hostNetwork && typeof p.containerPort === 'number' ? p.containerPort : undefined),
  },
  Probe: { timeoutSeconds: constant(1), periodSeconds: constant(10), successThreshold: constant(1), failureThreshold: constant(3) },
  HTTPGetAction: { path: constant('/'), scheme: constant('HTTP') },
  GRPCAction: { service: constant('') },
  ObjectFieldSelector: { apiVersion: constant('v1') },
  FileKeySelector: { optional: constant(false) },
  // Limits given, requests missing: each missing request defaults to its limit.
  ResourceRequirements: {
    requests: merging((r) => {
      if (!isObject(r.limits)) return undefined;
      const requests: JsonObject = { ...(isObject(r.requests) ? r.requests : {}) };
      for (const name of Object.keys(r.limits)) {
        if (!Object.hasOwn(requests, name)) Object.defineProperty(requests, name, { value: r.limits[name] as Json, enumerable: true, writable: true, configurable: true });
      }
      return requests;
    }),
  },
};

const NO_DEFAULTS: Readonly<Record<string, FieldDefault>> = {};

export function defaultsOf(typeName: string): Readonly<Record<string, FieldDefault>> {
  return DEFAULTS[typeName] ?? NO_DEFAULTS;
}

/** Whether a field's current value lets the apiserver's default in. */
export function takesDefault(value: Json | undefined, pointer: boolean, fill: FieldDefault): boolean {
  return fill.merges === true || value === undefined || value === null || (!pointer && (value === '' || value === 0));
}

// Types whose values, or values below them, have defaults: walks descend only into those.
const WITH_DEFAULTS = new Set<string>();
function reachesDefaults(typeName: string, seen: Set<string>): boolean {
  if (Object.hasOwn(DEFAULTS, typeName)) return true;
  if (seen.has(typeName)) return false;
  seen.add(typeName);
  for (const type of fieldsOf(typeName).values()) {
    const inner = type.kind === 'list' ? type.items : type.kind === 'map' ? type.values : type;
    if (inner.kind === 'object' && reachesDefaults(inner.type, seen)) return true;
  }
  return false;
}
for (const typeName of Object.keys(CONTAINER_SCHEMA)) if (reachesDefaults(typeName, new Set())) WITH_DEFAULTS.add(typeName);

function withDefaults(value: JsonObject, typeName: string, context: DefaultsContext): JsonObject {
  const fields = fieldsOf(typeName);
  const defaults = defaultsOf(typeName);
  const out: JsonObject = { ...value };
  for (const [name, type] of fields) {
    const fill = defaults[name];
    if (fill !== undefined && takesDefault(out[name], type.pointer, fill)) {
      const filled = fill(out, context);
      if (filled !== undefined) out[name] = filled;
    }
    const current = out[name];
    if (current === undefined) continue;
    if (type.kind === 'object' && WITH_DEFAULTS.has(type.type) && isObject(current)) out[name] = withDefaults(current, type.type, context);
    else if (type.kind === 'list' && type.items.kind === 'object' && WITH_DEFAULTS.has(type.items.type) && Array.isArray(current)) {
      const itemType = type.items.type;
      out[name] = current.map((item) => (isObject(item) ? withDefaults(item, itemType, context) : item));
    }
  }
  return out;
}

/** The container as the apiserver stores it in a Pod (hostNetwork: whether the pod uses the node's network). */
export function withApiserverDefaults(container: JsonObject, hostNetwork = false): JsonObject {
  return withDefaults(container, 'Container', { hostNetwork });
}

/** Whether values of this type can carry defaults somewhere below (for walks that apply them on the fly). */
export function hasDefaultsBelow(typeName: string): boolean {
  return WITH_DEFAULTS.has(typeName);
}
