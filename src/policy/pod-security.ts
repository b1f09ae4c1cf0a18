// Pod Security Standards, checked on the injected containers' own fields (the pod-level fields
// belong to whoever renders the pipeline pod, not to the sidecar author). Levels and rules follow
// https://kubernetes.io/docs/concepts/security/pod-security-standards/ for containers.
import type { PodSecurityLevel } from '../config/config.js';
import { isObject, type Json, type JsonObject } from '../json.js';
import { quoteName } from '../messages.js';

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

function objectAt(value: Json | undefined): JsonObject {
  return isObject(value) ? value : {};
}

function strings(value: Json | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function baseline(container: JsonObject, at: string): string[] {
  const out: string[] = [];
  const sc = objectAt(container.securityContext);
  if (sc.privileged === true) out.push(`${at}.securityContext.privileged: must not be true`);
  for (const cap of strings(objectAt(sc.capabilities).add)) {
    if (!BASELINE_CAPABILITIES.has(cap.replace(/^CAP_/, ''))) {
      out.push(`${at}.securityContext.capabilities.add: ${quoteName(cap)} is not allowed`);
    }
  }
  const ports = Array.isArray(container.ports) ? container.ports : [];
  ports.forEach((port, i) => {
    const hostPort = objectAt(port).hostPort;
    if (typeof hostPort === 'number' && hostPort !== 0) out.push(`${at}.ports[${i}].hostPort: must not be set`);
  });
  const selinux = objectAt(sc.seLinuxOptions);
  if (typeof selinux.type === 'string' && !SELINUX_TYPES.has(selinux.type)) {
    out.push(`${at}.securityContext.seLinuxOptions.type: ${quoteName(selinux.type)} is not allowed`);
  }
  if (selinux.user !== undefined && selinux.user !== '') out.push(`${at}.securityContext.seLinuxOptions.user: must not be set`);
  if (selinux.role !== undefined && selinux.role !== '') out.push(`${at}.securityContext.seLinuxOptions.role: must not be set`);
  if (sc.procMount !== undefined && sc.procMount !== 'Default') out.push(`${at}.securityContext.procMount: must be "Default"`);
  if (objectAt(sc.seccompProfile).type === 'Unconfined') out.push(`${at}.securityContext.seccompProfile.type: must not be "Unconfined"`);
  if (objectAt(sc.appArmorProfile).type === 'Unconfined') out.push(`${at}.securityContext.appArmorProfile.type: must not be "Unconfined"`);
  if (objectAt(sc.windowsOptions).hostProcess === true) out.push(`${at}.securityContext.windowsOptions.hostProcess: must not be true`);
  return out;
}

function restricted(container: JsonObject, podSecurityContext: JsonObject, at: string): string[] {
  const out: string[] = [];
  const sc = objectAt(container.securityContext);
  if (sc.allowPrivilegeEscalation !== false) out.push(`${at}.securityContext.allowPrivilegeEscalation: must be false`);
  const caps = objectAt(sc.capabilities);
  if (!strings(caps.drop).includes('ALL')) out.push(`${at}.securityContext.capabilities.drop: must include "ALL"`);
  for (const cap of strings(caps.add)) {
    if (cap !== 'NET_BIND_SERVICE') out.push(`${at}.securityContext.capabilities.add: only "NET_BIND_SERVICE" may be added, not ${quoteName(cap)}`);
  }
  const runAsNonRoot = sc.runAsNonRoot ?? podSecurityContext.runAsNonRoot;
  if (runAsNonRoot !== true) out.push(`${at}.securityContext.runAsNonRoot: must be true (here or in the pod's securityContext)`);
  const runAsUser = sc.runAsUser ?? podSecurityContext.runAsUser;
  if (runAsUser === 0) out.push(`${at}.securityContext.runAsUser: must not be 0 (root)`);
  const seccomp = objectAt(sc.seccompProfile).type ?? objectAt(podSecurityContext.seccompProfile).type;
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
    out.push(`${at}.securityContext.seccompProfile.type: must be "RuntimeDefault" or "Localhost" (here or in the pod's securityContext)`);
  }
  return out;
}

/** Violations of the level by one container, as "<at>.<field>: <what is wrong>". */
export function podSecurityViolations(
  container: JsonObject,
  podSecurityContext: JsonObject,
  level: PodSecurityLevel,
  at: string,
): string[] {
  if (level === 'privileged') return [];
  const out = baseline(container, at);
  if (level === 'restricted') out.push(...restricted(container, podSecurityContext, at));
  return out;
}
