// AdmissionReview bodies for the decision benchmarks, built from the example review
// (test/fixtures/admission-review-pipeline-pod.json): the pipeline pod made bigger in one
// dimension at a time. Every builder returns the exact text the webhook would receive.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const EXAMPLE_REVIEW_FILE = fileURLToPath(new URL('../../../test/fixtures/admission-review-pipeline-pod.json', import.meta.url));
export const RUNTIME_CONFIG_ANNOTATION = 'feldera.com/runtime-config';

type JsonObject = Record<string, unknown>;

interface ExampleParts {
  review: { request: { object: { metadata: { annotations: Record<string, string> }; spec: { containers: JsonObject[] } } } };
  runtimeConfig: { init_containers: JsonObject[] } & JsonObject;
}

export function exampleReviewText(): string {
  return readFileSync(EXAMPLE_REVIEW_FILE, 'utf8');
}

function exampleParts(): ExampleParts {
  const review = JSON.parse(exampleReviewText()) as ExampleParts['review'];
  const runtimeConfig = JSON.parse(review.request.object.metadata.annotations[RUNTIME_CONFIG_ANNOTATION] ?? '{}') as ExampleParts['runtimeConfig'];
  return { review, runtimeConfig };
}

/**
 * The example review after `change`; `runtimeConfigText` may rewrite the runtime_config's JSON text
 * (for shapes JSON.stringify cannot produce, such as 5,000 levels of nesting).
 */
export function exampleReview(
  change: (parts: ExampleParts) => void = () => {},
  runtimeConfigText: (text: string) => string = (text) => text,
): string {
  const parts = exampleParts();
  change(parts);
  parts.review.request.object.metadata.annotations[RUNTIME_CONFIG_ANNOTATION] = runtimeConfigText(JSON.stringify(parts.runtimeConfig));
  return JSON.stringify(parts.review);
}

function envVars(count: number, valueLength: number, prefix: string): JsonObject[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}_${String(i).padStart(5, '0')}`, value: 'v'.repeat(valueLength) }));
}

/** Grows the env of one container (the pipeline's, or a declared sidecar's) to reach about targetBytes of review. */
export function reviewWithEnv(where: 'pipeline' | 'sidecar', count: number, targetBytes: number): string {
  const build = (valueLength: number): string =>
    exampleReview(({ review, runtimeConfig }) => {
      const container = where === 'pipeline' ? review.request.object.spec.containers[0] : runtimeConfig.init_containers[1];
      if (container === undefined) throw new Error('the example review changed shape: no container to grow');
      const existing = Array.isArray(container.env) ? (container.env as JsonObject[]) : [];
      container.env = [...existing, ...envVars(count, valueLength, where === 'pipeline' ? 'PIPELINE_VAR' : 'SIDECAR_VAR')];
    });
  // Size grows linearly with the value length: measure at 0 and 1, solve for the target.
  const at0 = Buffer.byteLength(build(0));
  const perChar = Buffer.byteLength(build(1)) - at0;
  return build(Math.max(0, Math.round((targetBytes - at0) / perChar)));
}

/** The example's second sidecar (image, env) repeated `count` times under distinct names. */
export function reviewWithSidecars(count: number): string {
  return exampleReview(({ runtimeConfig }) => {
    const template = runtimeConfig.init_containers[1];
    runtimeConfig.init_containers = Array.from({ length: count }, (_, i) => ({ ...template, name: `sidecar-${String(i).padStart(2, '0')}` }));
  });
}

/** `{"a":{"a":...{}}}`, depth levels deep (JSON.stringify cannot build it: it recurses). */
export function nestedObjectText(depth: number): string {
  return '{"a":'.repeat(depth) + '{}' + '}'.repeat(depth);
}
