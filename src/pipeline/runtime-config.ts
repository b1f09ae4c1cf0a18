// Reads a Feldera runtime_config (RuntimeConfig, or PipelineConfig with the RuntimeConfig fields
// flattened at its top level) from the pod annotation. Feldera itself never validates
// init_containers, so this is the first place a mistake in it can be caught.
import { fail, injectorError, ok, type Result } from '../errors.js';
import { isObject, type Json } from '../json.js';

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
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch (error) {
    // The parser's message gives a position; the content itself stays out of messages and logs.
    const reason = error instanceof Error ? error.message : String(error);
    return fail(injectorError('RUNTIME_CONFIG_INVALID', `annotation ${annotation} is not valid JSON (${reason}); it must hold the pipeline's runtime_config`));
  }
  if (!isObject(parsed)) {
    return fail(
      injectorError(
        'RUNTIME_CONFIG_INVALID',
        `annotation ${annotation} must hold a JSON object (the pipeline's runtime_config), got ${describe(parsed)}`,
      ),
    );
  }
  const declared = parsed.init_containers;
  if (declared !== undefined && declared !== null && !Array.isArray(declared)) {
    return fail(
      injectorError(
        'RUNTIME_CONFIG_INVALID',
        `annotation ${annotation}: init_containers must be an array of Kubernetes Container objects, got ${describe(declared)}`,
      ),
    );
  }
  const hosts = typeof parsed.hosts === 'number' && Number.isInteger(parsed.hosts) && parsed.hosts > 1 ? parsed.hosts : 1;
  return ok({ initContainers: Array.isArray(declared) ? declared : [], hosts });
}
