// What kube-apiserver 1.34 adds to an init container of a Pod before admission webhooks see it
// (pkg/apis/core/v1/defaults.go and zz_generated.defaults.go: SetDefaults_Container, _Probe,
// _HTTPGetAction, _ObjectFieldSelector, the GRPC service and fileKeyRef.optional markers, and
// SetDefaults_Pod's requests-from-limits). Used only to compare a container the pod already has
// with one this webhook would render: the webhook never writes these defaults itself.
// test/e2e/apiserver-defaults.test.ts checks this model against the real apiserver.
import { isObject, type Json, type JsonObject } from '../json.js';
import { defaultPullPolicy } from './image-reference.js';

function objectAt(value: Json | undefined): JsonObject | null {
  return isObject(value) ? value : null;
}

function setIfEmpty(target: JsonObject, key: string, value: Json): void {
  const current = target[key];
  if (current === undefined || current === null || current === '' || current === 0) target[key] = value;
}

function httpGetDefaults(handler: JsonObject | null): JsonObject | null {
  if (handler === null) return null;
  const httpGet = objectAt(handler.httpGet);
  if (httpGet === null) return handler;
  const next = { ...httpGet };
  setIfEmpty(next, 'path', '/');
  setIfEmpty(next, 'scheme', 'HTTP');
  return { ...handler, httpGet: next };
}

function probeDefaults(probe: JsonObject): JsonObject {
  const next = httpGetDefaults(probe) ?? probe;
  const out: JsonObject = next === probe ? { ...probe } : next;
  setIfEmpty(out, 'timeoutSeconds', 1);
  setIfEmpty(out, 'periodSeconds', 10);
  setIfEmpty(out, 'successThreshold', 1);
  setIfEmpty(out, 'failureThreshold', 3);
  const grpc = objectAt(out.grpc);
  if (grpc !== null && (grpc.service === undefined || grpc.service === null)) out.grpc = { ...grpc, service: '' };
  return out;
}

function envDefaults(entry: Json): Json {
  const valueFrom = isObject(entry) ? objectAt(entry.valueFrom) : null;
  if (!isObject(entry) || valueFrom === null) return entry;
  const next: JsonObject = { ...valueFrom };
  const fieldRef = objectAt(valueFrom.fieldRef);
  if (fieldRef !== null) {
    next.fieldRef = { ...fieldRef };
    setIfEmpty(next.fieldRef, 'apiVersion', 'v1');
  }
  const fileKeyRef = objectAt(valueFrom.fileKeyRef);
  if (fileKeyRef !== null && (fileKeyRef.optional === undefined || fileKeyRef.optional === null)) next.fileKeyRef = { ...fileKeyRef, optional: false };
  return { ...entry, valueFrom: next };
}

/** limits given, requests missing: the requests default to the limits (Pods only, not templates). */
function resourceDefaults(resources: JsonObject): JsonObject {
  const limits = objectAt(resources.limits);
  if (limits === null) return resources;
  const requests: JsonObject = { ...(objectAt(resources.requests) ?? {}) };
  for (const [name, value] of Object.entries(limits)) if (!Object.hasOwn(requests, name)) requests[name] = value;
  return { ...resources, requests };
}

/** The container as the apiserver stores it in a Pod (hostNetwork: whether the pod uses the node's network). */
export function withApiserverDefaults(container: JsonObject, hostNetwork = false): JsonObject {
  const out: JsonObject = { ...container };
  if (out.imagePullPolicy === undefined || out.imagePullPolicy === null || out.imagePullPolicy === '') {
    out.imagePullPolicy = defaultPullPolicy(typeof out.image === 'string' ? out.image : '');
  }
  setIfEmpty(out, 'terminationMessagePath', '/dev/termination-log');
  setIfEmpty(out, 'terminationMessagePolicy', 'File');
  if (Array.isArray(out.ports)) {
    out.ports = out.ports.map((port) => {
      if (!isObject(port)) return port;
      const next = { ...port };
      setIfEmpty(next, 'protocol', 'TCP');
      if (hostNetwork && typeof next.containerPort === 'number') setIfEmpty(next, 'hostPort', next.containerPort);
      return next;
    });
  }
  if (Array.isArray(out.env)) out.env = out.env.map(envDefaults);
  const resources = objectAt(out.resources);
  if (resources !== null) out.resources = resourceDefaults(resources);
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    const value = objectAt(out[probe]);
    if (value !== null) out[probe] = probeDefaults(value);
  }
  const lifecycle = objectAt(out.lifecycle);
  if (lifecycle !== null) {
    const next: JsonObject = { ...lifecycle };
    for (const hook of ['postStart', 'preStop'] as const) {
      const handler = httpGetDefaults(objectAt(lifecycle[hook]));
      if (handler !== null) next[hook] = handler;
    }
    out.lifecycle = next;
  }
  return out;
}
