// Validates each declared sidecar the way kube-apiserver would, but before injection and with
// messages that point into the runtime_config (init_containers[1].resources.limits.cpu) instead
// of into a pod the user never wrote. Errors deny the pod; warnings only inform.
import { isObject, type Json, type JsonObject } from '../json.js';
import { CONTAINER_FIELDS, PULL_POLICIES } from '../kube/container-fields.js';
import { isDns1123Label, isEnvVarName, isResourceName } from '../kube/names.js';
import { compareQuantities, isNegative, parseQuantity, type Quantity } from '../kube/quantity.js';

export interface ContainerFindings {
  /** The declared containers that are objects, in order, untouched. Only meaningful without errors. */
  containers: JsonObject[];
  errors: string[];
  warnings: string[];
}

const OBJECT_FIELDS = ['livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'securityContext'] as const;
const RESOURCE_FIELDS = new Set(['requests', 'limits', 'claims']);

function kindOf(value: Json | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Quotes a user value for a message, cut short so a huge value cannot flood the response. */
export function quote(value: Json | undefined): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function checkStringArray(value: Json | undefined, path: string, errors: string[]): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    errors.push(`${path}: must be an array of strings, got ${kindOf(value)}`);
  }
}

function checkResourceList(value: Json | undefined, path: string, errors: string[]): Map<string, Quantity> {
  const parsed = new Map<string, Quantity>();
  if (value === undefined || value === null) return parsed;
  if (!isObject(value)) {
    errors.push(`${path}: must be a map of resource name to quantity (e.g. {"cpu": "250m"}), got ${kindOf(value)}`);
    return parsed;
  }
  for (const [name, raw] of Object.entries(value)) {
    if (!isResourceName(name)) {
      errors.push(`${path}: ${quote(name)} is not a resource name (cpu, memory, ephemeral-storage, hugepages-<size> or <domain>/<name>)`);
      continue;
    }
    const quantity = parseQuantity(raw);
    if (quantity === null) {
      errors.push(`${path}.${name}: ${quote(raw)} is not a valid quantity (e.g. "500m", "1", "512Mi", "2Gi")`);
    } else if (isNegative(quantity)) {
      errors.push(`${path}.${name}: ${quote(raw)} must not be negative`);
    } else {
      parsed.set(name, quantity);
    }
  }
  return parsed;
}

function checkResources(value: Json | undefined, path: string, errors: string[]): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) {
    errors.push(`${path}: must be an object with "requests" and/or "limits", got ${kindOf(value)}`);
    return;
  }
  for (const key of Object.keys(value)) {
    if (!RESOURCE_FIELDS.has(key)) errors.push(`${path}.${key}: unknown field (expected "requests", "limits" or "claims")`);
  }
  const requests = checkResourceList(value.requests, `${path}.requests`, errors);
  const limits = checkResourceList(value.limits, `${path}.limits`, errors);
  for (const [name, request] of requests) {
    const limit = limits.get(name);
    if (limit !== undefined && compareQuantities(request, limit) > 0) {
      errors.push(
        `${path}.requests.${name}: ${quote(requestsOf(value)[name])} must be less than or equal to ${path}.limits.${name} ${quote(limitsOf(value)[name])}`,
      );
    }
  }
}

function requestsOf(resources: JsonObject): JsonObject {
  return isObject(resources.requests) ? resources.requests : {};
}

function limitsOf(resources: JsonObject): JsonObject {
  return isObject(resources.limits) ? resources.limits : {};
}

function checkEnv(value: Json | undefined, path: string, errors: string[]): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    errors.push(`${path}: must be an array of {"name": ..., "value": ...} objects, got ${kindOf(value)}`);
    return;
  }
  // Values are never quoted back: env values may be secrets.
  value.forEach((entry, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(entry)) {
      errors.push(`${at}: must be an object with "name" and "value" or "valueFrom", got ${kindOf(entry)}`);
      return;
    }
    if (typeof entry.name !== 'string' || !isEnvVarName(entry.name)) {
      errors.push(`${at}.name: must be a non-empty variable name of letters, digits, '_', '-' and '.', not starting with a digit`);
    }
    if (entry.value !== undefined && typeof entry.value !== 'string') errors.push(`${at}.value: must be a string (quote numbers and booleans)`);
    if (entry.valueFrom !== undefined && !isObject(entry.valueFrom)) errors.push(`${at}.valueFrom: must be an object`);
    if (entry.value !== undefined && entry.value !== '' && entry.valueFrom !== undefined) {
      errors.push(`${at}: set either "value" or "valueFrom", not both`);
    }
  });
}

function checkPorts(value: Json | undefined, path: string, errors: string[]): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    errors.push(`${path}: must be an array of port objects, got ${kindOf(value)}`);
    return;
  }
  value.forEach((port, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(port)) {
      errors.push(`${at}: must be an object with "containerPort", got ${kindOf(port)}`);
      return;
    }
    const n = port.containerPort;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) {
      errors.push(`${at}.containerPort: must be an integer between 1 and 65535, got ${quote(n)}`);
    }
  });
}

function checkVolumeMounts(value: Json | undefined, path: string, errors: string[]): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    errors.push(`${path}: must be an array of {"name", "mountPath"} objects, got ${kindOf(value)}`);
    return;
  }
  value.forEach((mount, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(mount) || typeof mount.name !== 'string' || typeof mount.mountPath !== 'string' || mount.mountPath === '') {
      errors.push(`${at}: must be an object with string "name" and non-empty "mountPath"`);
    }
  });
}

function checkContainer(container: JsonObject, path: string, errors: string[], warnings: string[]): void {
  const { name, image } = container;
  if (name === undefined) errors.push(`${path}.name: required`);
  else if (typeof name !== 'string' || !isDns1123Label(name)) {
    errors.push(
      `${path}.name: ${quote(name)} must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
    );
  }
  if (image === undefined || image === '') errors.push(`${path}.image: required (e.g. "ubuntu:24.04")`);
  else if (typeof image !== 'string') errors.push(`${path}.image: must be a string, got ${kindOf(image)}`);
  else if (image.trim() !== image || /\s/.test(image)) errors.push(`${path}.image: ${quote(image)} must not contain whitespace`);

  const restartPolicy = container.restartPolicy;
  if (restartPolicy !== undefined && restartPolicy !== 'Always') {
    errors.push(
      `${path}.restartPolicy: must be "Always" or absent (a sidecar runs for the pipeline's whole life), got ${quote(restartPolicy)}`,
    );
  }
  checkResources(container.resources, `${path}.resources`, errors);
  checkStringArray(container.command, `${path}.command`, errors);
  checkStringArray(container.args, `${path}.args`, errors);
  checkEnv(container.env, `${path}.env`, errors);
  checkPorts(container.ports, `${path}.ports`, errors);
  checkVolumeMounts(container.volumeMounts, `${path}.volumeMounts`, errors);
  if (container.workingDir !== undefined && typeof container.workingDir !== 'string') {
    errors.push(`${path}.workingDir: must be a string, got ${kindOf(container.workingDir)}`);
  }
  if (container.imagePullPolicy !== undefined && !PULL_POLICIES.includes(container.imagePullPolicy as string)) {
    errors.push(`${path}.imagePullPolicy: must be one of ${PULL_POLICIES.join(', ')}, got ${quote(container.imagePullPolicy)}`);
  }
  for (const field of OBJECT_FIELDS) {
    const value = container[field];
    if (value !== undefined && !isObject(value)) errors.push(`${path}.${field}: must be an object, got ${kindOf(value)}`);
  }
  for (const field of Object.keys(container)) {
    if (!CONTAINER_FIELDS.has(field)) {
      warnings.push(`${path}.${field}: not a Kubernetes Container field; the apiserver would drop it (a typo?)`);
    }
  }
}

/** Checks every declared container, all of them: a user fixes every mistake in one round trip. */
export function validateContainers(declared: readonly Json[]): ContainerFindings {
  const errors: string[] = [];
  const warnings: string[] = [];
  const containers: JsonObject[] = [];
  const firstIndexOfName = new Map<string, number>();
  declared.forEach((container, index) => {
    const path = `init_containers[${index}]`;
    if (!isObject(container)) {
      errors.push(`${path}: must be a Kubernetes Container object, got ${kindOf(container)}`);
      return;
    }
    containers.push(container);
    checkContainer(container, path, errors, warnings);
    if (typeof container.name === 'string') {
      const first = firstIndexOfName.get(container.name);
      if (first !== undefined) {
        errors.push(`${path}.name: ${quote(container.name)} is already the name of init_containers[${first}]; sidecar names must be unique`);
      } else {
        firstIndexOfName.set(container.name, index);
      }
    }
  });
  return { containers, errors, warnings };
}
