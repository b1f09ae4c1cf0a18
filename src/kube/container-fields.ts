// The fields of core/v1 Container, as of Kubernetes 1.34. Anything else would be dropped silently
// by the apiserver.
export const CONTAINER_FIELDS: ReadonlySet<string> = new Set([
  'name', 'image', 'command', 'args', 'workingDir', 'ports', 'envFrom', 'env', 'resources', 'resizePolicy',
  'restartPolicy', 'restartPolicyRules', 'volumeMounts', 'volumeDevices', 'livenessProbe', 'readinessProbe',
  'startupProbe', 'lifecycle', 'terminationMessagePath', 'terminationMessagePolicy', 'imagePullPolicy',
  'securityContext', 'stdin', 'stdinOnce', 'tty',
]);

export const PULL_POLICIES: readonly string[] = ['Always', 'IfNotPresent', 'Never'];
