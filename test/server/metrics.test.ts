import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { JSON_HEADERS, fixtureText, http, https, startTestServer } from './harness.js';

const fixture = await fixtureText();

/** The value of one sample line, e.g. `name{outcome="skipped"} 3`; NaN when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

t.test('Prometheus text with admissions, dry runs, durations, refusals and the certificate expiry', async (t) => {
  const server = await startTestServer(t);
  const { port, metricsPort } = server.handle;
  const P = 'feldera_sidecar_injector_';

  const initial = await http(metricsPort, '/metrics');
  t.strictSame(initial.status, 200);
  t.match(String(initial.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  for (const outcome of ['skipped', 'injected', 'unchanged', 'denied', 'error']) {
    t.strictSame(sample(initial.text, `${P}admissions_total{outcome="${outcome}"}`), 0, `${outcome} starts at 0`);
  }

  const dryRun = JSON.parse(fixture) as { request: Record<string, unknown> };
  dryRun.request.dryRun = true;
  await https({ port, ca: server.ca, body: fixture, headers: JSON_HEADERS });
  await https({ port, ca: server.ca, body: fixture, headers: JSON_HEADERS });
  await https({ port, ca: server.ca, body: JSON.stringify(dryRun), headers: JSON_HEADERS });
  await https({ port, ca: server.ca, body: 'not json', headers: JSON_HEADERS });
  await https({ port, ca: server.ca, body: '[]', headers: JSON_HEADERS });

  const text = (await http(metricsPort, '/metrics')).text;
  const real = ['skipped', 'injected', 'unchanged', 'denied', 'error'].reduce(
    (sum, outcome) => sum + sample(text, `${P}admissions_total{outcome="${outcome}"}`),
    0,
  );
  const dry = ['skipped', 'injected', 'unchanged', 'denied', 'error'].reduce(
    (sum, outcome) => sum + sample(text, `${P}dry_run_admissions_total{outcome="${outcome}"}`),
    0,
  );
  t.strictSame(real, 2, 'two real admissions');
  t.strictSame(dry, 1, 'the dry run is counted apart, not as a real admission');
  t.strictSame(sample(text, `${P}admission_duration_seconds_count`), 3, 'every answered admission is timed');
  t.ok(sample(text, `${P}admission_duration_seconds_sum`) > 0);
  t.strictSame(sample(text, `${P}invalid_requests_total{code="REQUEST_NOT_JSON"}`), 1);
  t.strictSame(sample(text, `${P}invalid_requests_total{code="REVIEW_NOT_OBJECT"}`), 1);
  t.strictSame(sample(text, `${P}tls_reloads_total{result="success"}`), 0);
  t.strictSame(sample(text, `${P}tls_reloads_total{result="failure"}`), 0);
  const notAfter = Date.parse(new X509Certificate(await readFile(server.certs.files.tlsCert)).validTo) / 1000;
  t.strictSame(sample(text, `${P}serving_certificate_not_after_seconds`), notAfter, 'gauge is the certificate notAfter');
  t.ok(sample(text, `${P}process_cpu_user_seconds_total`) >= 0, 'process metrics are there too');
});

t.test('dry runs never count as injections', async (t) => {
  // A decide() that always injects two sidecars, so the test does not depend on the policy.
  const server = await startTestServer(t, {
    options: {
      decide: (review) => ({
        review: { apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } },
        outcome: 'injected',
        code: 'INJECTED',
        reason: 'test',
        injected: ['a', 'b'],
        namespace: '',
        pod: '',
        dryRun: review.request.dryRun,
        mutated: null,
        ops: [],
        details: {},
      }),
    },
  });
  const dryRun = JSON.parse(fixture) as { request: Record<string, unknown> };
  dryRun.request.dryRun = true;
  const { port, metricsPort } = server.handle;
  await https({ port, ca: server.ca, body: fixture, headers: JSON_HEADERS });
  await https({ port, ca: server.ca, body: JSON.stringify(dryRun), headers: JSON_HEADERS });
  await https({ port, ca: server.ca, body: JSON.stringify(dryRun), headers: JSON_HEADERS });
  const text = (await http(metricsPort, '/metrics')).text;
  const P = 'feldera_sidecar_injector_';
  t.strictSame(sample(text, `${P}admissions_total{outcome="injected"}`), 1);
  t.strictSame(sample(text, `${P}dry_run_admissions_total{outcome="injected"}`), 2);
  t.strictSame(sample(text, `${P}injected_sidecars_total`), 2, 'only the real admission counts its sidecars');
});

t.test('an error outcome is counted when decide() throws', async (t) => {
  const server = await startTestServer(t, {
    options: {
      decide: () => {
        throw new Error('bug');
      },
    },
  });
  await https({ port: server.handle.port, ca: server.ca, body: fixture, headers: JSON_HEADERS });
  const text = (await http(server.handle.metricsPort, '/metrics')).text;
  t.strictSame(sample(text, 'feldera_sidecar_injector_admissions_total{outcome="error"}'), 1);
});
