// `promtool check metrics` (Prometheus' own linter: names, units, help, types) on a real scrape.
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { PREFIX, sampleNames, scrapeAfterTraffic } from './scrape.js';

const INSTALL = 'promtool not found: install Prometheus\' tools (Debian/Ubuntu: apt-get install prometheus; .ci/run installs it)';

t.test('every metric of a real scrape passes promtool check metrics', async (t) => {
  const version = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (version.error !== undefined || version.status !== 0) {
    t.fail(INSTALL);
    return;
  }
  const text = await scrapeAfterTraffic(t);
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  t.strictSame({ status: check.status, problems: `${check.stdout}${check.stderr}`.trim() }, { status: 0, problems: '' }, 'promtool finds nothing');

  const names = sampleNames(text);
  for (const name of [
    'admissions_total',
    'admission_reasons_total',
    'policy_verdicts_total',
    'admissions_in_flight',
    'events_total',
    'certificate_renewals_total',
    'ca_bundle_repairs_total',
    'internal_errors_total',
    'ready',
  ]) {
    t.ok(names.has(`${PREFIX}${name}`), `${name} is exposed`);
  }
  t.match(text, `${PREFIX}admission_reasons_total{outcome="injected",reason="INJECTED"} 2`, 'two injections (one with a policy warning)');
  t.match(text, `${PREFIX}admission_reasons_total{outcome="denied",reason="INIT_CONTAINERS_DISALLOWED"} 1`);
  t.match(text, `${PREFIX}policy_verdicts_total{rule="maxSidecars",action="warn",verdict="violation"} 1`);
  t.match(text, `${PREFIX}policy_verdicts_total{rule="podSecurity",action="enforce",verdict="pass"} 2`);
  t.match(text, `${PREFIX}ready 1`);
  t.match(text, `${PREFIX}admissions_in_flight 0`, 'every request answered: none in flight');
  const reasons = [...text.matchAll(/admission_reasons_total\{outcome="[a-z]+",reason="([A-Z_]+)"\}/g)].map((m) => m[1]);
  t.ok(reasons.length >= 2, 'reason series present');
});
