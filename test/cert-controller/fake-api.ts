// An in-memory stand-in for the two API objects the controller touches, with the API server's
// concurrency rules (create -> 409 if it exists, update -> 409 on a stale resourceVersion, JSON
// patch `test` ops). For the controller's own logic; the real API server is exercised by
// test/e2e/self-managed-certs.test.ts.
import type { V1MutatingWebhookConfiguration, V1Secret } from '@kubernetes/client-node';
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { fail, ok, type Result } from '../../src/errors.js';
import type { CertificateApi } from '../../src/cert-controller/kube-api.js';
import { kubeFailure, type KubeFailure, type KubeOperation } from '../../src/cert-controller/kube-errors.js';

type Method = keyof CertificateApi;

export class FakeApi implements CertificateApi {
  secret: V1Secret | null = null;
  webhookConfiguration: V1MutatingWebhookConfiguration | null = null;
  private version = 1000;
  readonly calls: Method[] = [];
  /** Answer the next call(s) of a method with this HTTP status instead. */
  readonly failures = new Map<Method, { status: number; times: number }>();

  failNext(method: Method, status: number, times = 1): void {
    this.failures.set(method, { status, times });
  }

  count(method: Method): number {
    return this.calls.filter((m) => m === method).length;
  }

  private injected(method: Method, op: KubeOperation): KubeFailure | null {
    this.calls.push(method);
    const failure = this.failures.get(method);
    if (failure === undefined || failure.times <= 0) return null;
    failure.times--;
    const body = JSON.stringify({ kind: 'Status', message: `injected ${failure.status}`, reason: 'Injected' });
    return kubeFailure({ code: failure.status, body }, op);
  }

  private nextVersion(): string {
    return String(++this.version);
  }

  async readSecret(): Promise<Result<V1Secret | null, KubeFailure>> {
    const failure = this.injected('readSecret', secretOp('get'));
    if (failure) return fail(failure);
    return ok(structuredClone(this.secret));
  }

  async createSecret(secret: V1Secret) {
    const failure = this.injected('createSecret', secretOp('create'));
    if (failure) return fail(failure);
    if (this.secret !== null) return ok({ outcome: 'exists' as const });
    this.secret = { ...structuredClone(secret), metadata: { ...secret.metadata, resourceVersion: this.nextVersion() } };
    return ok({ outcome: 'created' as const, secret: structuredClone(this.secret) });
  }

  async replaceSecret(secret: V1Secret) {
    const failure = this.injected('replaceSecret', secretOp('update'));
    if (failure) return fail(failure);
    if (this.secret === null || secret.metadata?.resourceVersion !== this.secret.metadata?.resourceVersion) {
      return ok({ outcome: 'conflict' as const });
    }
    this.secret = { ...structuredClone(secret), metadata: { ...secret.metadata, resourceVersion: this.nextVersion() } };
    return ok({ outcome: 'updated' as const, secret: structuredClone(this.secret) });
  }

  async readWebhookConfiguration() {
    const failure = this.injected('readWebhookConfiguration', webhookOp('get'));
    if (failure) return fail(failure);
    return ok(structuredClone(this.webhookConfiguration));
  }

  async patchWebhookConfiguration(patch: { op: string; path: string; value: unknown }[]) {
    const failure = this.injected('patchWebhookConfiguration', webhookOp('patch'));
    if (failure) return fail(failure);
    if (this.webhookConfiguration === null) return ok({ outcome: 'missing' as const });
    try {
      this.webhookConfiguration = jsonpatch.applyPatch(structuredClone(this.webhookConfiguration), patch as Operation[], true, true).newDocument;
    } catch {
      return ok({ outcome: 'conflict' as const });
    }
    return ok({ outcome: 'patched' as const });
  }

  /** What `kubectl get secret -o jsonpath={.data.tls\.crt} | base64 -d` would print. */
  secretText(key: string): string {
    const value = this.secret?.data?.[key];
    return value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8');
  }

  caBundles(): string[] {
    return (this.webhookConfiguration?.webhooks ?? []).map((w) => w.clientConfig.caBundle ?? '');
  }
}

export function webhookConfiguration(...names: string[]): V1MutatingWebhookConfiguration {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'feldera-sidecar-injector' },
    webhooks: names.map((name) => ({
      name,
      clientConfig: { service: { name: 'feldera-sidecar-injector', namespace: 'webhook-system', path: '/mutate' }, caBundle: '' },
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
    })),
  };
}

function secretOp(verb: KubeOperation['verb']): KubeOperation {
  return { verb, resource: 'secrets', name: 'feldera-sidecar-injector-tls', namespace: 'webhook-system' };
}

function webhookOp(verb: KubeOperation['verb']): KubeOperation {
  return { verb, resource: 'mutatingwebhookconfigurations', name: 'feldera-sidecar-injector' };
}
