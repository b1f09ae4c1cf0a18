// The injector's Prometheus metrics, behind a small typed recorder so the hot path calls one
// method with plain values and never builds label objects. Each server gets its own Registry
// (tests run several servers in one process).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Outcome } from '../decide.js';

const PREFIX = 'feldera_sidecar_injector_';

/** decide()'s outcomes plus "error": the injector failed on a readable review (answered as Errored, code 500). */
export type AdmissionOutcome = Outcome | 'error';
export type TlsReloadResult = 'success' | 'failure';
export type ConfigReloadResult = 'success' | 'failure';

const OUTCOMES: readonly AdmissionOutcome[] = ['skipped', 'injected', 'unchanged', 'denied', 'error'];

export interface Metrics {
  readonly registry: Registry;
  /** One admission answered; dry-run ones are counted apart and never as injections. */
  recordAdmission(outcome: AdmissionOutcome, dryRun: boolean, injectedSidecars: number, seconds: number): void;
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

interface CounterChild {
  inc(value?: number): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: PREFIX });

  const admissions = new Counter({
    name: `${PREFIX}admissions_total`,
    help: 'Admission requests answered, by outcome (dry-run requests excluded: see dry_run_admissions_total).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const dryRunAdmissions = new Counter({
    name: `${PREFIX}dry_run_admissions_total`,
    help: 'Dry-run admission requests answered, by outcome; they change nothing in the cluster.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const injectedSidecars = new Counter({
    name: `${PREFIX}injected_sidecars_total`,
    help: 'Sidecar containers injected into pods that were really created (dry runs excluded).',
    registers: [registry],
  });
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

  // Label children resolved once: labels() hashes its arguments on every call.
  const admissionsBy = childrenByOutcome((outcome) => admissions.labels(outcome));
  const dryRunBy = childrenByOutcome((outcome) => dryRunAdmissions.labels(outcome));
  // Zero-valued series exist from the start so rate() and absent() behave before the first event.
  tlsReloads.labels('success').inc(0);
  tlsReloads.labels('failure').inc(0);
  configReloads.labels('success').inc(0);
  configReloads.labels('failure').inc(0);
  // The server's metrics are created right after its configuration was read.
  configLoadedAt.set(Date.now() / 1000);

  return {
    registry,
    recordAdmission(outcome, dryRun, injected, seconds) {
      duration.observe(seconds);
      if (dryRun) {
        dryRunBy[outcome].inc();
        return;
      }
      admissionsBy[outcome].inc();
      if (injected > 0) injectedSidecars.inc(injected);
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
    const c = child(outcome);
    c.inc(0);
    children[outcome] = c;
  }
  return children;
}
