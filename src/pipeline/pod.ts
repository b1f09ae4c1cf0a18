// Read-only views of the parts of a Pod (a plain JSON object as received) that the webhook needs.
// Nothing here copies or re-types the pod: the patch must be computed against the raw object.
import { isObject, type Json, type JsonObject } from '../json.js';

export function metadataOf(pod: JsonObject): JsonObject {
  return isObject(pod.metadata) ? pod.metadata : {};
}

export function specOf(pod: JsonObject): JsonObject {
  return isObject(pod.spec) ? pod.spec : {};
}

/** A string-valued entry of a labels/annotations map; anything else counts as absent. */
function stringAt(map: Json | undefined, key: string): string | undefined {
  if (!isObject(map) || !Object.hasOwn(map, key)) return undefined;
  const value = map[key];
  return typeof value === 'string' ? value : undefined;
}

export function labelOf(pod: JsonObject, key: string): string | undefined {
  return stringAt(metadataOf(pod).labels, key);
}

export function annotationOf(pod: JsonObject, key: string): string | undefined {
  return stringAt(metadataOf(pod).annotations, key);
}

export interface NamedContainer {
  field: 'containers' | 'initContainers' | 'ephemeralContainers';
  index: number;
  container: JsonObject;
}

/** Every container of the pod by name, with where it sits (for collision messages). */
export function containersByName(pod: JsonObject): Map<string, NamedContainer> {
  const spec = specOf(pod);
  const out = new Map<string, NamedContainer>();
  for (const field of ['containers', 'initContainers', 'ephemeralContainers'] as const) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    // Indexes into the list as received (non-objects included), so patches and messages point right.
    list.forEach((container, index) => {
      if (isObject(container) && typeof container.name === 'string' && !out.has(container.name)) out.set(container.name, { field, index, container });
    });
  }
  return out;
}

export function volumeNames(pod: JsonObject): string[] {
  const volumes = specOf(pod).volumes;
  if (!Array.isArray(volumes)) return [];
  return volumes.filter(isObject).flatMap((v) => (typeof v.name === 'string' ? [v.name] : []));
}

const POD_NAME = /^pipeline-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(\d+)$/;

/** The pipeline id: the configured label, else the uuid in the StatefulSet pod name. */
export function pipelineIdOf(pod: JsonObject, idLabel: string): string | null {
  const label = labelOf(pod, idLabel);
  if (label !== undefined && label !== '') return label;
  const name = metadataOf(pod).name;
  const match = typeof name === 'string' ? POD_NAME.exec(name) : null;
  return match?.[1] ?? null;
}

/** Host index of a pipeline pod (0 = coordinator), or null when the pod does not say. */
export function podIndexOf(pod: JsonObject, indexLabel: string): number | null {
  const label = labelOf(pod, indexLabel);
  if (label !== undefined && /^\d+$/.test(label)) return Number(label);
  const name = metadataOf(pod).name;
  const match = typeof name === 'string' ? /-(\d+)$/.exec(name) : null;
  return match?.[1] !== undefined ? Number(match[1]) : null;
}
