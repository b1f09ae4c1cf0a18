// The validation table against the real kube-apiserver 1.34: every row of
// test/pipeline/validation-cases.ts becomes a pod (dry run, no webhook registered) whose
// initContainers hold the row's sidecars rendered as the webhook injects them (restartPolicy
// Always added last, so it wins as it does in renderSidecar), beside one main container, with the
// volumes and resource claim the rows use. The apiserver's verdict must be the row's: ours, or
// the one the row states with its reason. Containers travel as the row's JSON text, so the
// apiserver reads numbers as written.
import t from 'tap';
import { httpsRequest } from './cluster/https-request.js';
import { startControlPlane } from './cluster/index.js';
import { CASE_POD_SPEC, CASES, type ValidationCase } from '../pipeline/validation-cases.js';

const NAMESPACE = 'validation';

/** The row's container as the webhook renders it: restartPolicy Always appended (the last key wins in Go's decoder too). */
export function asInjected(text: string): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return trimmed;
  const empty = trimmed.slice(1, -1).trim() === '';
  return `${trimmed.slice(0, -1)}${empty ? '' : ','}"restartPolicy":"Always"}`;
}

function podText(row: ValidationCase, index: number): string {
  const spec = JSON.stringify(CASE_POD_SPEC);
  const init = [...(row.before ?? []), row.container].map(asInjected).join(',');
  return `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"row-${index}"},"spec":${spec.slice(0, -1)},"initContainers":[${init}]}}`;
}

/** One of our paths as the apiserver writes it: spec.initContainers[0].resources.limits[nvidia.com/gpu]. */
function apiserverPath(path: string): string {
  return `spec.${path.replace(/^init_containers/, 'initContainers')}`.replace(/\["((?:[^"\\]|\\.)*)"\]/g, (_, key: string) => `[${JSON.parse(`"${key}"`) as string}]`);
}

/**
 * Whether the apiserver refused for the field our first error names: its message names that path
 * or its parent (it often reports a rule on the object holding the field: resizePolicy,
 * resources.limits), or, for a decode error or a rule of the whole pod, the field by name.
 */
function sameField(path: string, message: string): boolean {
  const ours = apiserverPath(path);
  const parent = ours.replace(/(\.[^.[]+|\[[^\]]*\])$/, '');
  const candidates = [ours, parent, parent.replace(/\[\d+\]$/, '')].filter((c) => c.length > 'spec.initContainers[0]'.length);
  if (candidates.some((c) => message.includes(`${c}:`) || message.includes(`${c}.`) || message.includes(`${c}[`))) return true;
  // A decode error, or a rule of the whole pod (a HostProcess container): the field by name.
  const field = ours.replace(/\[\d+\]$/, '').split('.').pop() ?? '';
  if (message.includes('quantities must match')) return /resources|divisor/.test(path);
  return field !== '' && message.includes(field);
}

interface Verdict {
  row: ValidationCase;
  index: number;
  status: number;
  got: 'valid' | 'invalid' | 'error';
  want: 'valid' | 'invalid';
  message: string;
}

const cp = await startControlPlane({ namespaces: [{ name: NAMESPACE }] });
t.comment(`control plane ready in ${cp.startupMs} ms at ${cp.server}`);
t.teardown(async () => {
  if (!t.passing()) process.stderr.write(`${cp.logTails(30)}\n`);
  await cp.stop();
});

async function judge(row: ValidationCase, index: number): Promise<Verdict> {
  const response = await httpsRequest({
    url: `${cp.server}/api/v1/namespaces/${NAMESPACE}/pods?dryRun=All&fieldValidation=Ignore`,
    method: 'POST',
    ca: cp.pki.ca.cert,
    cert: cp.pki.admin.cert,
    key: cp.pki.admin.key,
    body: podText(row, index),
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    timeoutMs: 30_000,
  });
  const want = row.apiserver !== undefined && 'verdict' in row.apiserver ? row.apiserver.verdict : row.expect;
  const got = response.status === 201 ? 'valid' : response.status === 400 || response.status === 422 ? 'invalid' : 'error';
  let message = '';
  if (got !== 'valid') {
    try {
      message = String((JSON.parse(response.text) as { message?: string }).message ?? response.text);
    } catch {
      message = response.text;
    }
  }
  return { row, index, status: response.status, got, want, message };
}

const rows = CASES.map((row, index) => ({ row, index })).filter(({ row }) => !(row.apiserver !== undefined && 'skip' in row.apiserver));
const skipped = CASES.filter((row) => row.apiserver !== undefined && 'skip' in row.apiserver);

t.test(`${rows.length} rows created as pods through kube-apiserver agree with the table`, async (t) => {
  const started = Date.now();
  const verdicts: Verdict[] = [];
  // A few requests at a time: the apiserver is shared with nothing else here.
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < rows.length) {
        const { row, index } = rows[next++] as { row: ValidationCase; index: number };
        verdicts.push(await judge(row, index));
      }
    }),
  );
  verdicts.sort((a, b) => a.index - b.index);
  const disagreements = verdicts.filter((v) => v.got !== v.want);
  const table = disagreements.map((v) => `| ${v.index} | ${v.row.name} | ${v.want} | ${v.got} (HTTP ${v.status}) | ${v.message.replace(/\s+/g, ' ').slice(0, 300)} |`);
  t.comment(`${verdicts.length} rows in ${Date.now() - started} ms; ${verdicts.filter((v) => v.want !== v.row.expect).length} where the apiserver's verdict differs from ours by design; ${skipped.length} not sent`);
  t.strictSame(disagreements.length, 0, disagreements.length === 0 ? 'every verdict agrees' : `disagreements:\n| row | case | want | apiserver | its message |\n|---|---|---|---|---|\n${table.join('\n')}`);
  // Refused for the same reason, not for another: the field our first error names is in the apiserver's message.
  const both = verdicts.filter((v) => v.got === 'invalid' && v.row.expect === 'invalid' && v.row.apiserver === undefined && v.row.path !== undefined);
  const elsewhere = both.filter((v) => !sameField(v.row.path ?? '', v.message));
  t.comment(`${both.length} rows refused by both, each for the field our first error names`);
  t.strictSame(
    elsewhere.map((v) => `| ${v.index} | ${v.row.name} | ${apiserverPath(v.row.path ?? '')} | ${v.message.replace(/\s+/g, ' ').slice(0, 300)} |`),
    [],
    'the apiserver names the same field',
  );
});

t.test('every row the apiserver is not sent says why', async (t) => {
  t.strictSame(
    skipped.map((row) => row.name),
    ['quantity "1e2147483648"'],
  );
});
