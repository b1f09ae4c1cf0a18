// The injector's Prometheus metrics, behind a small typed recorder so the hot path calls one
// method with plain values and never builds label objects. Each server gets its own Registry
// (tests run several servers in one process).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { deferredCounter, type CounterChild } from './deferred-counter.js';
import { REASON_CODES, type Outcome, type ReasonCode } from '../decide.js';
import type { EventResult } from '../events/recorder.js';
import type { RuleResult } from '../policy/rules.js';

const PREFIX = 'feldera_sidecar_injector_';

/** decide()'s outcomes plus "error": the injector failed on a readable review (answered as Errored, code 500). */
export type AdmissionOutcome = Outcome | 'error';
export type TlsReloadResult = 'success' | 'failure';
export type ConfigReloadResult = 'success' | 'failure';
/** The reason label: decide()'s closed list, or INTERNAL_ERROR for our own failure. */
export type AdmissionReason = ReasonCode | 'INTERNAL_ERROR';
export type CertificateRenewalResult = 'success' | 'failure';

const EVENT_RESULTS: readonly EventResult[] = ['created', 'series_updated', 'failed', 'dropped'];

const OUTCOMES: readonly AdmissionOutcome[] = ['skipped', 'injected', 'unchanged', 'denied', 'error'];

export interface Metrics {
  readonly registry: Registry;
  /** One admission answered; dry-run ones are counted apart and never as injections. */
  recordAdmission(outcome: AdmissionOutcome, reason: AdmissionReason, dryRun: boolean, injectedSidecars: number, seconds: number): void;
  /** The policy rules one real admission was checked against (explain's RuleResult list). */
  recordPolicyVerdicts(rules: readonly RuleResult[]): void;
  /** An admission request arrived (+1) or was answered (-1). */
  trackInFlight(delta: 1 | -1): void;
  recordEvent(result: EventResult): void;
  recordCertificateRenewal(result: CertificateRenewalResult): void;
  recordCaBundleRepair(): void;
  /** Where the ready gauge reads readiness at scrape time (the /readyz answer). */
  bindReadiness(isReady: () => boolean): void;
  /** A request refused before it became an admission (4xx), by error code. */
  recordInvalidRequest(code: string): void;
  /** The injector's own failure (a bug) while handling a request, whatever the answer was. */
  recordInternalError(): void;
  recordTlsReload(result: TlsReloadResult): void;
  /** A changed config file read: success when it took effect, failure when the old config was kept. */
  recordConfigReload(result: ConfigReloadResult): void;
  recordTlsHandshakeFailure(): void;
  setServingCertificateNotAfter(unixSeconds: number): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  // prom-client exposes these three gauges with a counter's _total suffix, which `promtool check
  // metrics` rejects; the event-loop lag and heap metrics say more about a stuck process anyway.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(`${PREFIX}${name}`);
  }

  const admissions = deferredCounter(
    {
      name: `${PREFIX}admissions_total`,
      help: 'Admission requests answered, by outcome (dry-run requests excluded: see dry_run_admissions_total).',
      labelNames: ['outcome'] as const,
    },
    registry,
  );
  const dryRunAdmissions = deferredCounter(
    {
      name: `${PREFIX}dry_run_admissions_total`,
      help: 'Dry-run admission requests answered, by outcome; they change nothing in the cluster.',
      labelNames: ['outcome'] as const,
    },
    registry,
  );
  const injectedSidecars = deferredCounter(
    {
      name: `${PREFIX}injected_sidecars_total`,
      help: 'Sidecar containers injected into pods that were really created (dry runs excluded).',
    },
    registry,
  );
  const duration = new Histogram({
    name: `${PREFIX}admission_duration_seconds`,
    help: 'Time from request arrival to answer for /mutate, including body parsing.',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const invalidRequests = new Counter({
    name: `${PREFIX}invalid_requests_total`,
    help: 'Requests refused with a 4xx before an admission decision, by error code.',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const internalErrors = new Counter({
    name: `${PREFIX}internal_errors_total`,
    help:
      'Requests the injector failed on through its own fault (a bug): a readable review is answered as an ' +
      'AdmissionReview with allowed false and status code 500, anything else with HTTP 500. The server log has the stack.',
    registers: [registry],
  });
  const tlsReloads = new Counter({
    name: `${PREFIX}tls_reloads_total`,
    help: 'Attempts to load changed TLS files; on failure the previous certificate stays in use.',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const configReloads = new Counter({
    name: `${PREFIX}config_reloads_total`,
    help: 'Changed config files read while running; on failure the previous configuration stays in use.',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const configLoadedAt = new Gauge({
    name: `${PREFIX}config_last_reload_success_timestamp_seconds`,
    help: 'When the configuration in use was loaded (at start or by the last successful reload), as unix seconds.',
    registers: [registry],
  });
  const handshakeFailures = new Counter({
    name: `${PREFIX}tls_handshake_failures_total`,
    help: 'TLS handshakes that failed (including clients without a valid certificate under mTLS).',
    registers: [registry],
  });
  const notAfter = new Gauge({
    name: `${PREFIX}serving_certificate_not_after_seconds`,
    help: 'Expiry of the serving certificate in use, as unix seconds.',
    registers: [registry],
  });

  const reasons = deferredCounter(
    {
      name: `${PREFIX}admission_reasons_total`,
      help:
        'Admission requests answered (dry runs excluded), by outcome and reason code: a closed list (the codes of ' +
        'src/decide.ts REASON_CODES, INTERNAL_ERROR for the injector\'s own failure), never free text.',
      labelNames: ['outcome', 'reason'] as const,
    },
    registry,
  );
  const verdicts = deferredCounter(
    {
      name: `${PREFIX}policy_verdicts_total`,
      help:
        'Policy rules checked on real admissions that reached the policy step, by rule, configured action (enforce or ' +
        'warn) and verdict (pass, or violation: a denial under enforce, a warning under warn). Inactive rules are not counted.',
      labelNames: ['rule', 'action', 'verdict'] as const,
    },
    registry,
  );
  // Moved twice per request: a plain number, read by prom-client at scrape time.
  let inFlightNow = 0;
  new Gauge({
    name: `${PREFIX}admissions_in_flight`,
    help: 'Requests to /mutate received and not yet answered (body still arriving or being decided).',
    registers: [registry],
    collect() {
      this.set(inFlightNow);
    },
  });
  const events = new Counter({
    name: `${PREFIX}events_total`,
    help:
      'Events on pipeline StatefulSets by result: created (a new Event), series_updated (an existing Event\'s series ' +
      'count grown), failed (the API refused or did not answer; the admission is unaffected), dropped (the queue was full).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const renewals = new Counter({
    name: `${PREFIX}certificate_renewals_total`,
    help: 'Serving certificate renewals by this replica (certificates.mode selfManaged), by result.',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const caBundleRepairs = new Counter({
    name: `${PREFIX}ca_bundle_repairs_total`,
    help: "Times this replica restored the MutatingWebhookConfiguration's caBundle after something else changed it.",
    registers: [registry],
  });

  let isReady: () => boolean = () => false;
  new Gauge({
    name: `${PREFIX}ready`,
    help: '1 while this replica answers /readyz with 200 (TLS loaded, not draining), else 0.',
    registers: [registry],
    collect() {
      this.set(isReady() ? 1 : 0);
    },
  });

  // Label children resolved once (see deferred-counter.ts for why they are not prom-client's).
  const injectedSidecarsCount = injectedSidecars.child();
  const admissionsBy = childrenByOutcome((outcome) => admissions.child(outcome));
  const dryRunBy = childrenByOutcome((outcome) => dryRunAdmissions.child(outcome));
  // Zero-valued series exist from the start so rate() and absent() behave before the first event.
  tlsReloads.labels('success').inc(0);
  tlsReloads.labels('failure').inc(0);
  configReloads.labels('success').inc(0);
  configReloads.labels('failure').inc(0);
  // The server's metrics are created right after its configuration was read.
  configLoadedAt.set(Date.now() / 1000);
  renewals.labels('success').inc(0);
  renewals.labels('failure').inc(0);
  const eventsBy = {} as Record<EventResult, CounterChild>;
  for (const result of EVENT_RESULTS) {
    eventsBy[result] = events.labels(result);
    eventsBy[result].inc(0);
  }
  caBundleRepairs.inc(0);
  // Both label sets are closed lists, so this map stays small; unknown reasons cannot enter.
  const knownReasons = new Set<string>([...REASON_CODES, 'INTERNAL_ERROR']);
  const reasonChildren = new Map<string, CounterChild>();
  const reasonChild = (outcome: AdmissionOutcome, reason: AdmissionReason): CounterChild => {
    const label = knownReasons.has(reason) ? reason : 'OTHER';
    const key = `${outcome} ${label}`;
    let child = reasonChildren.get(key);
    if (child === undefined) {
      child = reasons.child(outcome, label);
      reasonChildren.set(key, child);
    }
    return child;
  };
  const verdictChildren = new Map<string, CounterChild>();
  const verdictChild = (rule: RuleResult, verdict: 'pass' | 'violation'): CounterChild => {
    const key = `${rule.rule} ${rule.action} ${verdict}`;
    let child = verdictChildren.get(key);
    if (child === undefined) {
      child = verdicts.child(rule.rule, rule.action, verdict);
      verdictChildren.set(key, child);
    }
    return child;
  };

  return {
    registry,
    recordAdmission(outcome, reason, dryRun, injected, seconds) {
      duration.observe(seconds);
      if (dryRun) {
        dryRunBy[outcome].inc();
        return;
      }
      admissionsBy[outcome].inc();
      reasonChild(outcome, reason).inc();
      if (injected > 0) injectedSidecarsCount.inc(injected);
    },
    recordPolicyVerdicts(rules) {
      for (const rule of rules) {
        if (rule.active) verdictChild(rule, rule.violations.length > 0 ? 'violation' : 'pass').inc();
      }
    },
    trackInFlight(delta) {
      inFlightNow += delta;
    },
    recordEvent(result) {
      eventsBy[result].inc();
    },
    recordCertificateRenewal(result) {
      renewals.labels(result).inc();
    },
    recordCaBundleRepair() {
      caBundleRepairs.inc();
    },
    bindReadiness(source) {
      isReady = source;
    },
    recordInvalidRequest(code) {
      invalidRequests.labels(code).inc();
    },
    recordInternalError() {
      internalErrors.inc();
    },
    recordTlsReload(result) {
      tlsReloads.labels(result).inc();
    },
    recordConfigReload(result) {
      configReloads.labels(result).inc();
      if (result === 'success') configLoadedAt.set(Date.now() / 1000);
    },
    recordTlsHandshakeFailure() {
      handshakeFailures.inc();
    },
    setServingCertificateNotAfter(unixSeconds) {
      notAfter.set(unixSeconds);
    },
  };
}

function childrenByOutcome(child: (outcome: AdmissionOutcome) => CounterChild): Record<AdmissionOutcome, CounterChild> {
  const children = {} as Record<AdmissionOutcome, CounterChild>;
  for (const outcome of OUTCOMES) {
    children[outcome] = child(outcome);
  }
  return children;
}
