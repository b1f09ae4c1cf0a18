// Reads a Feldera runtime_config (RuntimeConfig, or PipelineConfig with the RuntimeConfig fields
// flattened at its top level) from the pod annotation. Feldera itself never validates
// init_containers, so this is the first place a mistake in it can be caught. Everything is
// bounded before it is read: size, then nesting depth, then the number of sidecars.
import { fail, injectorError, ok, type Result } from '../errors.js';
import { depthExceeds, isObject, readJson, type Json, type JsonObject } from '../json.js';
import { LIMITS } from './limits.js';

export interface PipelineRuntime {
  /** The declared sidecars, unvalidated; empty when absent or null. */
  initContainers: Json[];
  /** Number of pods the pipeline runs on (1 unless runtime_config.hosts says more). */
  hosts: number;
}

function describe(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export function readRuntimeConfig(text: string, annotation: string): Result<PipelineRuntime> {
  // Characters first: cheap, and a UTF-8 byte count is at least the UTF-16 length / 1.
  if (text.length > LIMITS.annotationBytes || Buffer.byteLength(text) > LIMITS.annotationBytes) {
    return fail(
      injectorError(
        'LIMIT_EXCEEDED',
        `annotation ${annotation} is larger than ${LIMITS.annotationBytes} bytes (the limit for all annotations of a pod); shorten the runtime_config`,
      ),
    );
  }
  const read = readJson(text);
  if (!read.ok) {
    return fail(
      injectorError('RUNTIME_CONFIG_INVALID', `annotation ${annotation} is not valid JSON (${read.problem}); it must hold the pipeline's runtime_config`),
    );
  }
  const parsed = read.value;
  if (!isObject(parsed)) {
    return fail(
      injectorError(
        'RUNTIME_CONFIG_INVALID',
        `annotation ${annotation} must hold a JSON object (the pipeline's runtime_config), got ${describe(parsed)}`,
      ),
    );
  }
  if (depthExceeds(parsed, LIMITS.depth)) {
    return fail(injectorError('LIMIT_EXCEEDED', `annotation ${annotation} nests deeper than ${LIMITS.depth} levels; a runtime_config needs far fewer`));
  }
  return runtimeOf(parsed, `annotation ${annotation}`);
}

/** The parts of a parsed runtime_config (or PipelineConfig) the webhook uses; `where` names its source in messages. */
export function runtimeOf(parsed: JsonObject, where: string): Result<PipelineRuntime> {
  const declared = parsed.init_containers;
  if (declared !== undefined && declared !== null && !Array.isArray(declared)) {
    return fail(
      injectorError(
        'RUNTIME_CONFIG_INVALID',
        `${where}: init_containers must be an array of Kubernetes Container objects, got ${describe(declared)}`,
      ),
    );
  }
  if (Array.isArray(declared) && declared.length > LIMITS.sidecars) {
    return fail(
      injectorError('LIMIT_EXCEEDED', `${where}: ${declared.length} init_containers declared; this webhook accepts at most ${LIMITS.sidecars} sidecars per pipeline`),
    );
  }
  const hosts = typeof parsed.hosts === 'number' && Number.isInteger(parsed.hosts) && parsed.hosts > 1 ? parsed.hosts : 1;
  return ok({ initContainers: Array.isArray(declared) ? declared : [], hosts });
}
