// The chart's optional PrometheusRule, rendered by helm: `promtool check rules` on its groups and
// `promtool test rules` with test/prometheus/alerts.test.yaml (each alert firing and not firing).
// Needs helm (built when missing) and promtool (Debian package prometheus): fails, never skips.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { repoRoot } from './cluster/paths.js';
import { ensureHelm, Helm } from './helm-render.js';

const root = mkdtempSync(join(tmpdir(), 'feldera-e2e-prometheus-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
const helm = new Helm(await ensureHelm(), join(root, 'helm-home'));

function promtool(args: string[]): { status: number | null; output: string } {
  const res = spawnSync('promtool', args, { cwd: root, encoding: 'utf8' });
  if (res.error !== undefined) throw new Error('promtool not found: apt-get install prometheus (Debian/Ubuntu; .ci/run installs it)');
  return { status: res.status, output: `${res.stdout}${res.stderr}` };
}

t.test('off by default: no PrometheusRule', async (t) => {
  const rendered = await helm.template('feldera-sidecar-injector', 'feldera-sidecar-injector');
  t.strictSame(rendered.filter((m) => m.kind === 'PrometheusRule'), []);
});

t.test('the rendered rules pass promtool check rules and promtool test rules', async (t) => {
  const set = ['prometheusRule.enabled=true', 'prometheusRule.selector.job=feldera-sidecar-injector', 'prometheusRule.labels.release=prometheus'];
  await helm.lint('feldera-sidecar-injector', set);
  const rendered = await helm.template('feldera-sidecar-injector', 'feldera-sidecar-injector', set);
  const rules = rendered.filter((m) => m.kind === 'PrometheusRule');
  t.strictSame(rules.length, 1);
  const rule = rules[0] as unknown as { apiVersion: string; metadata: { labels?: Record<string, string> }; spec: { groups: Array<{ rules: Array<{ alert: string }> }> } };
  t.strictSame(rule.apiVersion, 'monitoring.coreos.com/v1');
  t.strictSame(rule.metadata.labels?.release, 'prometheus', 'extra labels for the ruleSelector');
  t.strictSame(
    rule.spec.groups.flatMap((g) => g.rules.map((r) => r.alert)),
    ['FelderaSidecarInjectorErroring', 'FelderaSidecarInjectorDenialsRising', 'FelderaSidecarInjectorCertificateExpiring', 'FelderaSidecarInjectorNoReplicaReady'],
  );
  writeFileSync(join(root, 'rules.yaml'), stringify({ groups: rule.spec.groups }));
  copyFileSync(join(repoRoot(), 'test', 'prometheus', 'alerts.test.yaml'), join(root, 'alerts.test.yaml'));
  const check = promtool(['check', 'rules', 'rules.yaml']);
  t.strictSame(check.status, 0, check.output);
  t.match(check.output, 'SUCCESS: 4 rules found');
  const tested = promtool(['test', 'rules', 'alerts.test.yaml']);
  t.strictSame(tested.status, 0, tested.output);
  t.match(tested.output, 'SUCCESS');
});
