#!/usr/bin/env bash
# Lints and renders the Helm chart in every supported mode and fails on any error.
#
#   scripts/helm-check.sh [OUT_DIR]
#
# helm comes from $HELM, else <repo>/.cache/kube/bin/helm (built by scripts/kube-binaries.sh helm),
# else PATH. Rendered manifests go to OUT_DIR (default: a temporary directory, removed on exit
# unless OUT_DIR was given), one file per case, so end-to-end tests can apply them.
#
# Besides `helm lint` and `helm template`, every case checks:
#   - every rendered document parses as YAML and has apiVersion, kind and metadata.name;
#   - the ConfigMap's config.yaml uses only keys of src/config/config.ts (the webhook refuses to
#     start on an unknown key), by loading it with the webhook's own config loader when dist/ is
#     built, else against DEFAULT_CONFIG's key tree parsed from the source;
#   - the names the config gives the webhook (Secret, MutatingWebhookConfiguration, Service) are
#     the names of the rendered objects and of the RBAC resourceNames;
#   - certManager renders no RBAC, selfManaged renders no cert-manager objects;
#   - config.reload: live passes --config-reload live and a checksum of only the restart-only
#     settings (a live setting changed leaves it alone, a restart-only one changes it); rollout
#     passes --config-reload off and a checksum of the whole config file;
# and that values the schema or the chart must refuse are refused.
set -euo pipefail
# No pathname expansion: the --set arguments below contain '*' and '[0]'.
set -f

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHART="$REPO_ROOT/deploy/helm/feldera-sidecar-injector"
RELEASE=feldera-sidecar-injector
NAMESPACE=feldera-sidecar-injector

die() {
  echo "helm-check: ERROR: $*" >&2
  exit 1
}

HELM="${HELM:-}"
if [ -z "$HELM" ]; then
  if [ -x "$REPO_ROOT/.cache/kube/bin/helm" ]; then
    HELM="$REPO_ROOT/.cache/kube/bin/helm"
  elif command -v helm >/dev/null 2>&1; then
    HELM="$(command -v helm)"
  else
    die "helm not found: run scripts/kube-binaries.sh helm, or set HELM=/path/to/helm"
  fi
fi
"$HELM" version --short >/dev/null 2>&1 || die "$HELM does not run (helm version failed)"
command -v node >/dev/null 2>&1 || die "node not found on PATH (needed to check the rendered YAML)"

if [ $# -ge 1 ]; then
  OUT="$1"
  mkdir -p "$OUT"
else
  OUT="$(mktemp -d)"
  trap 'rm -rf "$OUT"' EXIT
fi
# helm writes its cache/config somewhere; keep it out of $HOME (read-only or shared in CI).
export HELM_CACHE_HOME="$OUT/.helm/cache" HELM_CONFIG_HOME="$OUT/.helm/config" HELM_DATA_HOME="$OUT/.helm/data"

echo "helm-check: $("$HELM" version --short) on $CHART"

# name|helm arguments (for both lint and template)
CASES=(
  "self-managed|"
  "self-managed-explicit|--set certificates.mode=selfManaged"
  "cert-manager|--set certificates.mode=certManager"
  "cert-manager-no-events|--set certificates.mode=certManager --set events.enabled=false"
  "prometheus-rule|--set prometheusRule.enabled=true --set prometheusRule.selector.job=feldera-sidecar-injector"
  "cert-manager-issuer|--set certificates.mode=certManager --set certificates.certManager.issuerRef.name=platform-ca --set certificates.certManager.issuerRef.kind=ClusterIssuer --set certificates.certManager.issuerRef.group=cert-manager.io"
  "namespace-scope|--set injection.scope=namespace"
  "no-network-policy|--set networkPolicy.enabled=false"
  "policies|--set pipeline.allowInitContainers=false --set policy.maxSidecars.max=3 --set policy.allowedImages.patterns={registry.example.com/*} --set policy.resourceCaps.limits.memory=2Gi --set policy.resourceCaps.limits.cpu=2 --set policy.podSecurity.level=restricted --set policy.podSecurity.action=warn --set sidecars.placement=all --set logLevel=debug"
  "single-replica-all-pods|--set replicaCount=1 --set webhook.objectSelector=null --set podAntiAffinity=hard --set injection.excludeNamespaces={feldera-system}"
  "host-network|--set hostNetwork=true --set updateStrategy.rollingUpdate.maxSurge=0 --set updateStrategy.rollingUpdate.maxUnavailable=1"
  "live-restart-setting|--set server.bodyLimitBytes=1048576"
  "config-rollout|--set config.reload=rollout"
  "config-rollout-policies|--set config.reload=rollout --set pipeline.allowInitContainers=false"
  "namespace-policy|--set namespacePolicy.enabled=true"
  "config-map-source|--set pipeline.configSource=configMap --set pipeline.configMap.key=config.json"
  "config-map-namespaces|--set pipeline.configSource=configMap --set pipeline.configMap.namespaces={feldera,team-a}"
  "config-map-namespaces-and-namespace-policy|--set pipeline.configSource=both --set pipeline.configMap.namespaces={feldera} --set namespacePolicy.enabled=true --set certificates.mode=certManager"
  "both-sources-cert-manager|--set pipeline.configSource=both --set namespacePolicy.enabled=true --set certificates.mode=certManager"
  "spread-pdb-max-unavailable|--set topologySpreadConstraints[0].maxSkew=1 --set topologySpreadConstraints[0].topologyKey=topology.kubernetes.io/zone --set topologySpreadConstraints[0].whenUnsatisfiable=ScheduleAnyway --set podDisruptionBudget.minAvailable=null --set podDisruptionBudget.maxUnavailable=1 --set priorityClassName=system-cluster-critical"
)

# Cases that must fail (name|arguments|text the error must contain).
BAD_CASES=(
  "unknown-mode|--set certificates.mode=files|certificates.mode"
  "unknown-scope|--set injection.scope=everything|injection.scope"
  "typo-value|--set pipeline.allowInitContainer=false|allowInitContainer"
  "bad-quantity|--set sidecars.defaultResources.limits.cpu=lots|cpu"
  "grace-below-drain|--set terminationGracePeriodSeconds=5 --set server.drainSeconds=10|terminationGracePeriodSeconds"
  "events-not-boolean|--set-string events.enabled=yes|events.enabled"
  "timeout-too-long|--set webhook.timeoutSeconds=31|timeoutSeconds"
  "unknown-config-source|--set pipeline.configSource=pod|configSource"
  "name-template-without-id|--set pipeline.configMap.nameTemplate=pipeline|nameTemplate"
  "config-map-namespace-not-a-name|--set pipeline.configSource=configMap --set pipeline.configMap.namespaces={Team_A}|namespaces"
  "host-network-not-boolean|--set-string hostNetwork=yes|hostNetwork"
  "unknown-config-reload|--set config.reload=sometimes|config.reload"
)

failures=0
fail_case() {
  echo "helm-check: FAIL [$1]: $2" >&2
  failures=$((failures + 1))
}

# The webhook's config keys: from the built loader when available (exact), else from the source.
CONFIG_CHECKER="$OUT/check-rendered.mjs"
cat >"$CONFIG_CHECKER" <<'EOF'
// node check-rendered.mjs <repo> <rendered.yaml> <mode>  -> exits non-zero with reasons.
import { readFileSync, existsSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [repo, file, mode] = process.argv.slice(2);
const require = createRequire(join(repo, 'package.json'));
const { parseAllDocuments, parse } = require('yaml');
const problems = [];
const docs = [];
// YAML 1.1, as helm and kubectl read it (sigs.k8s.io/yaml): a bare off or 0440 means what they send.
for (const doc of parseAllDocuments(readFileSync(file, 'utf8'), { version: '1.1' })) {
  if (doc.errors.length > 0) problems.push(`YAML error: ${doc.errors.map((e) => e.message).join('; ')}`);
  const value = doc.toJS();
  if (value === null || value === undefined) continue;
  if (!value.apiVersion || !value.kind || !value.metadata?.name) problems.push(`document without apiVersion/kind/metadata.name: ${JSON.stringify(value).slice(0, 200)}`);
  docs.push(value);
}
const find = (kind) => docs.filter((d) => d.kind === kind);
const one = (kind) => {
  const found = find(kind);
  if (found.length !== 1) problems.push(`expected exactly one ${kind}, found ${found.length}`);
  return found[0];
};

const configMap = one('ConfigMap');
const text = configMap?.data?.['config.yaml'];
if (typeof text !== 'string') problems.push('ConfigMap has no data["config.yaml"]');
const config = typeof text === 'string' ? parse(text) : {};

// 1. Only known keys: the real loader when dist/ is built, else DEFAULT_CONFIG's key tree.
const loader = join(repo, 'dist/src/config/load.js');
if (existsSync(loader)) {
  const { loadConfig } = await import(pathToFileURL(loader).href);
  const dir = mkdtempSync(join(tmpdir(), 'helm-check-'));
  writeFileSync(join(dir, 'config.yaml'), text ?? '');
  const result = loadConfig({ file: join(dir, 'config.yaml'), env: {} });
  rmSync(dir, { recursive: true, force: true });
  if (!result.ok) problems.push(`the webhook refuses the rendered config: ${result.error.message}`);
} else {
  // config.ts holds only types and DEFAULT_CONFIG: strip the types with TypeScript and import it.
  const ts = require('typescript');
  const source = readFileSync(join(repo, 'src/config/config.ts'), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const { DEFAULT_CONFIG: defaults } = await import(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`);
  const open = new Set(['sidecars.defaultResources.requests', 'sidecars.defaultResources.limits', 'policy.resourceCaps.requests', 'policy.resourceCaps.limits']);
  const walk = (value, known, path) => {
    if (open.has(path) || value === null || typeof value !== 'object' || Array.isArray(value)) return;
    for (const [key, inner] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      if (known === null || typeof known !== 'object' || !(key in known)) problems.push(`config.yaml: unknown key ${at}`);
      else walk(inner, known[key], at);
    }
  };
  walk(config, defaults, '');
}

// 2. Names are consistent.
const fullname = one('Deployment')?.metadata?.name;
const service = one('Service');
const webhookConfig = one('MutatingWebhookConfiguration');
const webhook = webhookConfig?.webhooks?.[0];
if (webhook?.clientConfig?.service?.name !== service?.metadata?.name) problems.push('webhook clientConfig.service.name is not the Service');
const httpsPort = service?.spec?.ports?.find((p) => p.name === 'https');
if (webhook?.clientConfig?.service?.port !== httpsPort?.port) problems.push('webhook clientConfig.service.port is not the Service https port');
if (webhook?.clientConfig?.service?.path !== '/mutate') problems.push('webhook path is not /mutate');
const container = one('Deployment')?.spec?.template?.spec?.containers?.[0];
const containerPort = container?.ports?.find((p) => p.name === 'https')?.containerPort;
if (containerPort !== config.server?.port) problems.push(`container https port ${containerPort} != config server.port ${config.server?.port}`);
const args = container?.args ?? [];
const configPath = args[args.indexOf('--config') + 1];
const mount = container?.volumeMounts?.find((m) => m.name === 'config');
if (!configPath || !mount || !configPath.startsWith(`${mount.mountPath}/`)) problems.push(`--config ${configPath} is not inside the config mount`);
const tlsMount = container?.volumeMounts?.find((m) => m.name === 'tls');
for (const key of ['certFile', 'keyFile']) {
  if (!tlsMount || !String(config.tls?.[key]).startsWith(`${tlsMount.mountPath}/`)) problems.push(`tls.${key} ${config.tls?.[key]} is not inside the tls mount`);
}
const podSpec = one('Deployment')?.spec?.template?.spec ?? {};
const tlsVolume = podSpec.volumes?.find((v) => v.name === 'tls');
// The events ClusterRole (events.enabled) is checked on its own below; the rest is certificate RBAC.
const isEventsRbac = (r) => String(r?.metadata?.name ?? '').endsWith('-events');
// The informer caches' read-only ClusterRole (namespacePolicy, configSource) is checked on its own in 2b.
const READS = '-cluster-reads';
const isReads = (d) => String(d.metadata?.name).endsWith(READS);
// The per-namespace ConfigMap Roles (pipeline.configMap.namespaces) are checked on their own in 2b too.
const CONFIG_MAPS = '-config-maps';
const isConfigMapsRbac = (d) => String(d.metadata?.name).endsWith(CONFIG_MAPS);
const roles = find('Role').filter((r) => !isConfigMapsRbac(r));
const clusterRoles = find('ClusterRole').filter((r) => !isEventsRbac(r) && !isReads(r));
const eventsRoles = find('ClusterRole').filter(isEventsRbac);
const eventsBindings = find('ClusterRoleBinding').filter(isEventsRbac);
if (config.events?.mode === 'on') {
  const rules = JSON.stringify(eventsRoles[0]?.rules);
  if (eventsRoles.length !== 1 || rules !== JSON.stringify([{ apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] }])) {
    problems.push(`events on: expected one ClusterRole with exactly create/patch on events.k8s.io events, got ${rules}`);
  }
  if (eventsBindings.length !== 1 || eventsBindings[0]?.roleRef?.name !== eventsRoles[0]?.metadata?.name) problems.push('events on: no ClusterRoleBinding to the events ClusterRole');
  if (podSpec.automountServiceAccountToken !== true) problems.push('events on: needs the service-account token');
} else if (config.events?.mode === 'off') {
  if (eventsRoles.length + eventsBindings.length > 0) problems.push('events off: renders the events RBAC');
} else {
  problems.push(`config events.mode is ${config.events?.mode}, expected on or off`);
}
const certificates = find('Certificate');
if (mode === 'selfManaged') {
  const c = config.certificates ?? {};
  if (c.mode !== 'selfManaged') problems.push(`config certificates.mode is ${c.mode}, expected selfManaged`);
  if (c.serviceName !== service?.metadata?.name) problems.push('certificates.serviceName is not the Service');
  if (c.webhookConfigurationName !== webhookConfig?.metadata?.name) problems.push('certificates.webhookConfigurationName is not the MutatingWebhookConfiguration');
  if (!tlsVolume?.emptyDir || tlsMount?.readOnly) problems.push('selfManaged needs a writable emptyDir at the tls path');
  if (podSpec.automountServiceAccountToken !== true) problems.push('selfManaged needs the service-account token');
  const roleNames = roles.flatMap((r) => r.rules.filter((rule) => rule.resourceNames).flatMap((rule) => rule.resourceNames));
  if (roles.length !== 1 || roleNames.length !== 1 || roleNames[0] !== c.secretName) problems.push(`Role resourceNames ${JSON.stringify(roleNames)} != certificates.secretName ${c.secretName}`);
  if (roles[0]?.metadata?.namespace !== c.namespace) problems.push('Role is not in certificates.namespace');
  const crNames = clusterRoles.flatMap((r) => r.rules.flatMap((rule) => rule.resourceNames ?? ['<any>']));
  if (clusterRoles.length !== 1 || crNames.length !== 1 || crNames[0] !== c.webhookConfigurationName) problems.push(`ClusterRole resourceNames ${JSON.stringify(crNames)} != certificates.webhookConfigurationName ${c.webhookConfigurationName}`);
  for (const verb of ['list', 'watch', 'delete', '*']) {
    if ([...roles, ...clusterRoles].some((r) => r.rules.some((rule) => rule.verbs.includes(verb)))) problems.push(`RBAC grants ${verb}`);
  }
  if (certificates.length > 0 || find('Issuer').length > 0) problems.push('selfManaged renders cert-manager objects');
  if (webhookConfig?.metadata?.annotations?.['cert-manager.io/inject-ca-from']) problems.push('selfManaged has the cert-manager inject-ca-from annotation');
} else {
  if (config.certificates?.mode !== 'files') problems.push(`config certificates.mode is ${config.certificates?.mode}, expected files`);
  if ([...roles, ...clusterRoles, ...find('RoleBinding').filter((b) => !isConfigMapsRbac(b)), ...find('ClusterRoleBinding').filter((b) => !isEventsRbac(b) && !isReads(b))].length > 0) problems.push('certManager renders certificate RBAC');
  const reads = config.namespacePolicy?.enabled === true || (config.pipeline?.configSource ?? 'annotation') !== 'annotation';
  const talksToApi = reads || config.events?.mode === 'on';
  if (podSpec.automountServiceAccountToken !== talksToApi) problems.push(`certManager mounts the service-account token exactly when the webhook talks to the API (events on or cluster reads: ${talksToApi})`);
  const serving = certificates.find((c) => !c.spec.isCA);
  if (!serving) problems.push('no serving Certificate');
  if (tlsVolume?.secret?.secretName !== serving?.spec?.secretName) problems.push('the tls volume is not the serving Certificate\'s Secret');
  const inject = webhookConfig?.metadata?.annotations?.['cert-manager.io/inject-ca-from'];
  if (inject !== `${serving?.metadata?.namespace}/${serving?.metadata?.name}`) problems.push(`inject-ca-from ${inject} is not the serving Certificate`);
  const svc = service?.metadata?.name;
  const ns = service?.metadata?.namespace;
  if (!serving?.spec?.dnsNames?.includes(`${svc}.${ns}.svc`)) problems.push('serving Certificate lacks <service>.<namespace>.svc');
}

// 2b. The cluster reads: a ClusterRole exactly when the config reads the cluster, with exactly the
// resources it reads and only get/list/watch.
{
  const wanted = [];
  if (config.namespacePolicy?.enabled === true) wanted.push('namespaces');
  const readsConfigMaps = (config.pipeline?.configSource ?? 'annotation') !== 'annotation';
  const listed = config.pipeline?.configMap?.namespaces ?? [];
  if (readsConfigMaps && listed.length === 0) wanted.push('configmaps');
  // With pipeline.configMap.namespaces: a Role and RoleBinding in each listed namespace, nothing else.
  const cmRoles = find('Role').filter(isConfigMapsRbac);
  const cmBindings = find('RoleBinding').filter(isConfigMapsRbac);
  const expectedNs = readsConfigMaps ? [...listed].sort() : [];
  const roleNs = cmRoles.map((r) => r.metadata?.namespace).sort();
  if (JSON.stringify(roleNs) !== JSON.stringify(expectedNs)) problems.push(`ConfigMap Roles in ${JSON.stringify(roleNs)}, pipeline.configMap.namespaces says ${JSON.stringify(expectedNs)}`);
  for (const role of cmRoles) {
    if (JSON.stringify(role.rules) !== JSON.stringify([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }])) problems.push(`ConfigMap Role in ${role.metadata?.namespace} grants ${JSON.stringify(role.rules)}`);
    const binding = cmBindings.find((b) => b.metadata?.namespace === role.metadata?.namespace);
    const sa = binding?.subjects?.[0];
    if (binding?.roleRef?.kind !== 'Role' || binding.roleRef.name !== role.metadata?.name || sa?.kind !== 'ServiceAccount' || sa.namespace !== service?.metadata?.namespace) problems.push(`ConfigMap RoleBinding in ${role.metadata?.namespace} missing or not bound to the webhook's ServiceAccount`);
  }
  if (cmBindings.length !== cmRoles.length) problems.push(`${cmBindings.length} ConfigMap RoleBindings for ${cmRoles.length} Roles`);
  const readRoles = find('ClusterRole').filter(isReads);
  const granted = readRoles.flatMap((r) => r.rules.flatMap((rule) => rule.resources));
  if (JSON.stringify(granted) !== JSON.stringify(wanted)) problems.push(`cluster-reads ClusterRole grants ${JSON.stringify(granted)}, the config reads ${JSON.stringify(wanted)}`);
  for (const rule of readRoles.flatMap((r) => r.rules)) {
    if (JSON.stringify(rule.verbs) !== '["get","list","watch"]') problems.push(`cluster-reads verbs ${JSON.stringify(rule.verbs)}, expected get, list, watch`);
  }
  const binding = find('ClusterRoleBinding').filter(isReads);
  if (wanted.length > 0 && (binding.length !== 1 || binding[0].roleRef?.name !== readRoles[0]?.metadata?.name)) problems.push('cluster-reads ClusterRoleBinding missing or not bound to its ClusterRole');
  if ((wanted.length > 0 || expectedNs.length > 0) && podSpec.automountServiceAccountToken !== true) problems.push('reading the cluster needs the service-account token');
}

// 3. Webhook shape.
const expect = (cond, what) => { if (!cond) problems.push(what); };
expect(webhook?.sideEffects === 'NoneOnDryRun', 'sideEffects NoneOnDryRun (Events, never for a dry run)');
expect(JSON.stringify(webhook?.admissionReviewVersions) === '["v1"]', 'admissionReviewVersions [v1]');
expect(webhook?.matchPolicy === 'Equivalent', 'matchPolicy Equivalent');
expect(webhook?.rules?.length === 1 && JSON.stringify(webhook.rules[0].operations) === '["CREATE"]' && JSON.stringify(webhook.rules[0].resources) === '["pods"]', 'rules: pods CREATE only');
const optOut = webhook?.objectSelector?.matchExpressions?.find((e) => e.key === 'sidecar.feldera.com/inject');
expect(optOut?.operator === 'NotIn' && JSON.stringify(optOut.values) === '["false"]', 'objectSelector has sidecar.feldera.com/inject NotIn [false]');
const nsExpr = webhook?.namespaceSelector?.matchExpressions?.find((e) => e.key === 'kubernetes.io/metadata.name');
for (const ns of ['kube-system', service?.metadata?.namespace]) expect(nsExpr?.operator === 'NotIn' && nsExpr.values.includes(ns), `namespaceSelector excludes ${ns}`);
const sc = container?.securityContext ?? {};
expect(sc.allowPrivilegeEscalation === false && sc.readOnlyRootFilesystem === true && sc.runAsNonRoot === true && JSON.stringify(sc.capabilities?.drop) === '["ALL"]', 'restricted container securityContext');
expect(podSpec.terminationGracePeriodSeconds > config.server?.drainSeconds, 'terminationGracePeriodSeconds > drainSeconds');
// hostNetwork: on the node's network the webhook listens on the pod's (node's) address only.
const envByName = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e]));
const podIpEnv = (name) => envByName[name]?.valueFrom?.fieldRef?.fieldPath === 'status.podIP';
if (podSpec.hostNetwork === true) {
  expect(podSpec.dnsPolicy === 'ClusterFirstWithHostNet', 'hostNetwork: dnsPolicy ClusterFirstWithHostNet');
  expect(podIpEnv('SIDECAR_INJECTOR_SERVER__HOST') && podIpEnv('SIDECAR_INJECTOR_SERVER__METRICS_HOST'), 'hostNetwork: server.host and server.metricsHost from status.podIP');
} else {
  expect(podSpec.hostNetwork === undefined && !('SIDECAR_INJECTOR_SERVER__HOST' in envByName), 'no hostNetwork, no host override, unless asked');
}
const podAnnotations = one('Deployment')?.spec?.template?.metadata?.annotations ?? {};
const reload = args[args.indexOf('--config-reload') + 1];
const sha = (name) => /^[0-9a-f]{64}$/.test(podAnnotations[name] ?? '');
if (reload === 'live') {
  expect(sha('checksum/restart-config') && !('checksum/config' in podAnnotations), 'live: checksum/restart-config only');
} else if (reload === 'off') {
  expect(sha('checksum/config') && !('checksum/restart-config' in podAnnotations), 'rollout: checksum/config only');
} else {
  problems.push(`--config-reload is ${reload}, expected live or off`);
}

if (problems.length > 0) {
  console.error(problems.map((p) => `  - ${p}`).join('\n'));
  process.exit(1);
}
console.log(`  ok: ${docs.length} objects (${[...new Set(docs.map((d) => d.kind))].join(', ')})`);
EOF

for entry in "${CASES[@]}"; do
  name="${entry%%|*}"
  # shellcheck disable=SC2206 # word splitting of the argument list is intended
  args=(${entry#*|})
  mode=selfManaged
  case " ${args[*]-} " in *certificates.mode=certManager*) mode=certManager ;; esac
  echo "helm-check: [$name] ${args[*]-}"
  if ! "$HELM" lint --strict "$CHART" --namespace "$NAMESPACE" ${args[@]+"${args[@]}"} >"$OUT/$name.lint.txt" 2>&1; then
    cat "$OUT/$name.lint.txt" >&2
    fail_case "$name" "helm lint"
    continue
  fi
  if ! "$HELM" template "$RELEASE" "$CHART" --namespace "$NAMESPACE" ${args[@]+"${args[@]}"} >"$OUT/$name.yaml" 2>"$OUT/$name.template.err"; then
    cat "$OUT/$name.template.err" >&2
    fail_case "$name" "helm template"
    continue
  fi
  if ! node "$CONFIG_CHECKER" "$REPO_ROOT" "$OUT/$name.yaml" "$mode"; then
    fail_case "$name" "rendered manifests (see above)"
  fi
done

for entry in "${BAD_CASES[@]}"; do
  IFS='|' read -r name arglist expected <<<"$entry"
  # shellcheck disable=SC2206
  args=($arglist)
  echo "helm-check: [$name] must be refused: ${args[*]}"
  if "$HELM" template "$RELEASE" "$CHART" --namespace "$NAMESPACE" "${args[@]}" >/dev/null 2>"$OUT/$name.err"; then
    fail_case "$name" "helm template accepted ${args[*]}"
  elif ! grep -q -- "$expected" "$OUT/$name.err"; then
    cat "$OUT/$name.err" >&2
    fail_case "$name" "refused, but the error does not mention $expected"
  else
    echo "  ok: $(grep -m1 -o -- "[^:]*$expected.*" "$OUT/$name.err" | cut -c1-160)"
  fi
done

# config.reload: which value changes roll the pods (pairs of renderings above; same|differ).
pod_annotation() {
  node -e '
    const { createRequire } = require("node:module");
    const { parseAllDocuments } = createRequire(process.argv[1] + "/package.json")("yaml");
    const docs = parseAllDocuments(require("node:fs").readFileSync(process.argv[2], "utf8")).map((d) => d.toJS());
    const deployment = docs.find((d) => d && d.kind === "Deployment");
    process.stdout.write(String(deployment.spec.template.metadata.annotations[process.argv[3]]));
  ' "$REPO_ROOT" "$OUT/$1.yaml" "$2"
}
ROLLS=(
  "self-managed|policies|checksum/restart-config|same|live: policy, placement and log level changes do not roll the pods"
  "self-managed|live-restart-setting|checksum/restart-config|differ|live: a restart-only setting rolls the pods"
  "config-rollout|config-rollout-policies|checksum/config|differ|rollout: any config change rolls the pods"
)
for entry in "${ROLLS[@]}"; do
  IFS='|' read -r a b annotation expected what <<<"$entry"
  if [ ! -f "$OUT/$a.yaml" ] || [ ! -f "$OUT/$b.yaml" ]; then
    fail_case "$a/$b" "renderings missing"
    continue
  fi
  first="$(pod_annotation "$a" "$annotation")"
  second="$(pod_annotation "$b" "$annotation")"
  if { [ "$expected" = same ] && [ "$first" = "$second" ]; } || { [ "$expected" = differ ] && [ "$first" != "$second" ]; }; then
    echo "helm-check: ok: $what ($annotation $expected)"
  else
    fail_case "$a/$b" "$what: $annotation $first vs $second"
  fi
done

if [ "$failures" -gt 0 ]; then
  die "$failures case(s) failed"
fi
echo "helm-check: all ${#CASES[@]} renderings and ${#BAD_CASES[@]} refusals passed${1:+ (manifests in $OUT)}"
