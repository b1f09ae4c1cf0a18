// Golden cases for the mutation: test/golden/<case>/input.json (a Pod or an AdmissionReview) and an
// optional config.yaml go in; expected-response.json (the AdmissionResponse without its patch)
// and, when the pod changes, expected-pod.json (the pod after applying our patch) come out.
// UPDATE_GOLDEN=1 rewrites the expected files; without it, a missing, extra or stale file fails.
// Every case then gets an idempotency pass: the webhook run on its own output changes nothing.
import { NO_CLUSTER } from '../src/cluster/context.js';
import t from 'tap';
import { existsSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import jsonpatch from 'fast-json-patch';
import { parseReview, reviewForPod, type AdmissionReview } from '../src/admission/review.js';
import { loadConfig } from '../src/config/load.js';
import { decide } from '../src/decide.js';
import { isObject, type Json, type JsonObject } from '../src/json.js';
import { withApiserverDefaults } from '../src/kube/defaults.js';
import { SERVICE_ACCOUNT_MOUNT_PATH } from '../src/mutate/status.js';

const root = join(import.meta.dirname, 'golden');
const update = process.env.UPDATE_GOLDEN === '1';
const KNOWN = new Set(['input.json', 'config.yaml', 'expected-response.json', 'expected-pod.json', 'README.md']);

function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8')) as Json;
}

function toReview(input: Json): AdmissionReview {
  if (isObject(input) && input.kind === 'AdmissionReview') {
    const parsed = parseReview(input);
    if (!parsed.ok) throw new Error(parsed.error.message);
    return parsed.value;
  }
  const pod = input as JsonObject;
  const meta = isObject(pod.metadata) ? pod.metadata : {};
  return reviewForPod(pod, String(meta.namespace ?? 'default'), String(meta.name ?? ''), false);
}

function withObject(review: AdmissionReview, object: JsonObject): AdmissionReview {
  return { ...review, request: { ...review.request, object } };
}

/**
 * The pod as kube-apiserver hands it to the next webhook or stores it: every init container
 * defaulted; with `template`, also as a pod created from the injected template, where the
 * ServiceAccount admission plugin mounted the token into every container.
 */
function asApiserverStores(pod: JsonObject, template: boolean): JsonObject {
  const spec = pod.spec as JsonObject;
  const token = ((spec.containers as JsonObject[])[0]?.volumeMounts as JsonObject[] | undefined)?.find((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH);
  const initContainers = (spec.initContainers as JsonObject[]).map((c) => {
    const defaulted = withApiserverDefaults(c);
    const mounts = Array.isArray(defaulted.volumeMounts) ? defaulted.volumeMounts : [];
    if (!template || token === undefined || mounts.some((m) => isObject(m) && m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) return defaulted;
    return { ...defaulted, volumeMounts: [...mounts, token] };
  });
  return { ...pod, spec: { ...spec, initContainers } };
}

const cases = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

t.ok(cases.length >= 10, 'the golden suite has its cases');

for (const name of cases) {
  t.test(name, async (t) => {
    const dir = join(root, name);
    for (const file of readdirSync(dir)) t.ok(KNOWN.has(file), `${file} is a known golden file`);
    const configFile = join(dir, 'config.yaml');
    const config = loadConfig({ file: existsSync(configFile) ? configFile : undefined });
    if (!config.ok) throw new Error(config.error.message);
    const review = toReview(readJson(join(dir, 'input.json')));
    const before = JSON.stringify(review.request.object);
    const decision = decide(review, config.value, NO_CLUSTER);
    t.strictSame(JSON.stringify(review.request.object), before, 'the received object is not modified');
    const { patch, ...response } = decision.review.response;
    const actualResponse = { outcome: decision.outcome, ...response } as unknown as Json;

    const received = review.request.object as JsonObject;
    const ops = patch === undefined ? [] : (JSON.parse(Buffer.from(patch, 'base64').toString()) as jsonpatch.Operation[]);
    t.strictSame(ops, decision.ops, 'the base64 patch is the decision ops');
    const patchedPod = ops.length > 0 ? (jsonpatch.applyPatch(structuredClone(received), ops, true, false).newDocument as JsonObject) : null;

    const responseFile = join(dir, 'expected-response.json');
    const podFile = join(dir, 'expected-pod.json');
    if (update) {
      writeFileSync(responseFile, `${JSON.stringify(actualResponse, null, 2)}\n`);
      if (patchedPod !== null) writeFileSync(podFile, `${JSON.stringify(patchedPod, null, 2)}\n`);
      else rmSync(podFile, { force: true });
    }
    t.strictSame(actualResponse, readJson(responseFile), 'response matches expected-response.json');
    if (patchedPod === null) {
      t.notOk(existsSync(podFile), 'no patch, so no expected-pod.json (a stale one must be deleted)');
    } else {
      t.ok(existsSync(podFile), 'a patch was produced, so expected-pod.json must exist');
      if (existsSync(podFile)) t.strictSame(patchedPod, readJson(podFile), 'patched pod matches expected-pod.json');
      t.strictSame(patchedPod, decision.mutated, 'applying the patch to the received object gives the mutated pod');

      // Idempotency: the webhook run again on its own output changes nothing: as it answered it,
      // as kube-apiserver defaults it before a reinvocation, and as a pod created from a template
      // that already holds the injected sidecars.
      const passes: [string, JsonObject][] = [
        ['its own output', patchedPod],
        ['its output defaulted by the apiserver', asApiserverStores(patchedPod, false)],
        ['a pod from the injected template', asApiserverStores(patchedPod, true)],
      ];
      for (const [what, pod] of passes) {
        const again = decide(withObject(review, pod), config.value, NO_CLUSTER);
        t.strictSame(again.review.response.allowed, true, `second pass over ${what} is allowed`);
        t.strictSame(again.ops, [], `second pass over ${what} produces no patch`);
        t.strictSame(again.review.response.patch, undefined, `second pass over ${what} carries no patch`);
        // Validation and policy warnings come again; warnings about placing sidecars must not.
        const placing = (again.review.response.warnings ?? []).filter((w) => /^(init_containers\[\d+\] "|spec\.initContainers\[)/.test(w));
        t.strictSame(placing, [], `second pass over ${what} has nothing to say about placing sidecars`);
        t.strictSame(again.review.response.warnings ?? [], (decision.review.response.warnings ?? []).filter((w) => !placing.includes(w) && !/^(init_containers\[\d+\] "|spec\.initContainers\[)/.test(w)), `second pass over ${what} repeats only validation and policy warnings`);
      }
    }
  });
}
