// The MutatingWebhookConfiguration's caBundle, pure: which webhooks do not carry our CA, and the
// JSON patch that sets it on exactly those. `helm upgrade` re-renders the configuration (usually
// with an empty caBundle), so this is checked on every loop, not only at start.
import type { V1MutatingWebhookConfiguration } from '@kubernetes/client-node';

export interface JsonPatchOperation {
  op: 'test' | 'add';
  path: string;
  value: unknown;
}

export interface StaleWebhook {
  index: number;
  name: string;
}

/** The caBundle value for a CA: base64 of its PEM (the API field is bytes, carried as base64). */
export function encodeCaBundle(caPem: string): string {
  return Buffer.from(caPem, 'utf8').toString('base64');
}

export function staleWebhooks(configuration: V1MutatingWebhookConfiguration, caPem: string): StaleWebhook[] {
  const wanted = normalisePem(caPem);
  const stale: StaleWebhook[] = [];
  (configuration.webhooks ?? []).forEach((webhook, index) => {
    const current = webhook.clientConfig?.caBundle ?? '';
    // Compared as decoded text: the same PEM base64-encoded by another tool may differ only in
    // line endings or a trailing newline, and that is not worth a write.
    if (current === '' || normalisePem(Buffer.from(current, 'base64').toString('utf8')) !== wanted) {
      stale.push({ index, name: webhook.name });
    }
  });
  return stale;
}

export function caBundleNeedsRepair(configuration: V1MutatingWebhookConfiguration, caPem: string): boolean {
  return staleWebhooks(configuration, caPem).length > 0;
}

/**
 * JSON patch (RFC 6902) setting the caBundle of each stale webhook. Each `add` is guarded by a
 * `test` of the webhook's name at that index, so a configuration re-ordered between our read and
 * this patch (a concurrent `helm upgrade`) makes the patch fail instead of touching the wrong
 * webhook; the next check re-reads and retries. `add` replaces the value when it already exists.
 */
export function caBundlePatch(configuration: V1MutatingWebhookConfiguration, caPem: string): JsonPatchOperation[] {
  const caBundle = encodeCaBundle(caPem);
  return staleWebhooks(configuration, caPem).flatMap(({ index, name }) => [
    { op: 'test', path: `/webhooks/${index}/name`, value: name },
    { op: 'add', path: `/webhooks/${index}/clientConfig/caBundle`, value: caBundle },
  ]);
}

function normalisePem(text: string): string {
  return text.replace(/\r\n/g, '\n').trim();
}
