// A real /metrics scrape of a test server that has answered an injection, a denial, a skip, a
// dry run and a refused request, so every labelled series the webhook can have is present.
import { NO_CLUSTER } from '../../src/cluster/context.js';
import type { Test } from 'tap';
import { DEFAULT_CONFIG } from '../../src/config/config.js';
import { decide } from '../../src/decide.js';
import { JSON_HEADERS, fixtureText, http, https, startTestServer } from '../server/harness.js';

export const PREFIX = 'feldera_sidecar_injector_';

export async function scrapeAfterTraffic(t: Test): Promise<string> {
  const fixture = await fixtureText();
  const strict = { ...DEFAULT_CONFIG, policy: { ...DEFAULT_CONFIG.policy, maxSidecars: { max: 1, action: 'warn' as const } } };
  const forbidding = { ...DEFAULT_CONFIG, pipeline: { ...DEFAULT_CONFIG.pipeline, allowInitContainers: false } };
  let calls = 0;
  // Alternates configurations per request so one server answers injected, warned and denied reviews.
  const server = await startTestServer(t, {
    options: {
      decide: (review) => {
        calls += 1;
        return decide(review, calls % 3 === 0 ? forbidding : calls % 3 === 1 ? strict : DEFAULT_CONFIG, NO_CLUSTER);
      },
    },
  });
  const { port, metricsPort } = server.handle;
  const send = (body: string) => https({ port, ca: server.ca, body, headers: JSON_HEADERS });
  const dryRun = JSON.parse(fixture) as { request: Record<string, unknown> };
  dryRun.request.dryRun = true;
  for (let i = 0; i < 3; i += 1) await send(fixture);
  await send(JSON.stringify(dryRun));
  await send('[]');
  const answer = await http(metricsPort, '/metrics');
  if (answer.status !== 200) throw new Error(`/metrics: HTTP ${answer.status}`);
  return answer.text;
}

/** The sample names of a Prometheus text exposition (name_bucket, name_sum... as written). */
export function sampleNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const end = line.search(/[{ ]/);
    names.add(end === -1 ? line : line.slice(0, end));
  }
  return names;
}

/** Every feldera_sidecar_injector_* name in a PromQL expression (ours, not user input). */
export function metricNamesIn(expr: string): string[] {
  return [...expr.matchAll(/\bfeldera_sidecar_injector_[a-zA-Z0-9_]+/g)].map((m) => m[0]);
}
