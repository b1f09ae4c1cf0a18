// Kubernetes' name rules (apimachinery's validation package), as predicates over strings.
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RESOURCE_NAME = /^(cpu|memory|ephemeral-storage|hugepages-[A-Za-z0-9.]+|([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** A DNS-1123 label: container names, volume names. */
export function isDns1123Label(name: string): boolean {
  return name.length <= 63 && DNS1123_LABEL.test(name);
}

/** A resource name for requests/limits: a standard one or a domain-prefixed extended one. */
export function isResourceName(name: string): boolean {
  return RESOURCE_NAME.test(name);
}

/** An environment variable name. */
export function isEnvVarName(name: string): boolean {
  return ENV_NAME.test(name);
}
