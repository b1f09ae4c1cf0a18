// The Grafana dashboard and the chart's alerts query only metrics a real scrape has.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { metricNamesIn, sampleNames, scrapeAfterTraffic } from './scrape.js';

const root = join(import.meta.dirname, '..', '..');
interface Panel {
  title: string;
  targets?: Array<{ expr: string }>;
}
const dashboard = JSON.parse(readFileSync(join(root, 'deploy', 'grafana', 'feldera-sidecar-injector.json'), 'utf8')) as { panels: Panel[] };
const rules = readFileSync(join(root, 'deploy', 'helm', 'feldera-sidecar-injector', 'templates', 'prometheusrule.yaml'), 'utf8');

t.test('every dashboard and alert query uses metrics that exist', async (t) => {
  const names = sampleNames(await scrapeAfterTraffic(t));
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((target) => ({ where: `panel "${p.title}"`, expr: target.expr })));
  const ruleExprs = [...rules.matchAll(/^\s+expr: (.+)$/gm)].map((m) => ({ where: 'PrometheusRule', expr: m[1] ?? '' }));
  t.ok(exprs.length >= 10, `${exprs.length} dashboard queries`);
  t.strictSame(ruleExprs.length, 4, 'four alerts');
  const missing: string[] = [];
  for (const { where, expr } of [...exprs, ...ruleExprs]) {
    const used = metricNamesIn(expr);
    if (used.length === 0) missing.push(`${where}: no feldera_sidecar_injector_ metric in ${expr}`);
    for (const name of used) if (!names.has(name)) missing.push(`${where}: ${name}`);
  }
  t.strictSame(missing, [], 'no query names a metric the webhook does not expose');
});
