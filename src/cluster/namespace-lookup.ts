// A Namespace object (as the API returns it) -> what decide() needs from it: its policy
// annotation, read once when the namespace is seen rather than on every admission.
import { NAMESPACE_POLICY_ANNOTATION, readNamespacePolicy } from '../policy/namespace-policy.js';
import type { NamespacePolicyLookup } from './context.js';

export interface NamespaceLike {
  metadata?: { name?: string; annotations?: Record<string, string> };
}

export function namespacePolicyOf(namespace: NamespaceLike): NamespacePolicyLookup {
  const text = namespace.metadata?.annotations?.[NAMESPACE_POLICY_ANNOTATION];
  if (text === undefined) return { state: 'none' };
  const read = readNamespacePolicy(text);
  return read.ok ? { state: 'policy', policy: read.value } : { state: 'invalid', message: read.error.message };
}
