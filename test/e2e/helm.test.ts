// The Helm chart against a real kube-apiserver (issue 4, point 5).
//
// 1. helm (built by scripts/kube-binaries.sh helm when missing) lints the chart and renders it in
//    each mode: selfManaged (the default), certManager, injection.scope=namespace.
// 2. Every rendered object is created in the apiserver with fieldValidation=Strict (an unknown or
//    misplaced field is an error, not silently pruned) and read back: stored as rendered. Each mode
//    has its own release name and namespace, so the cluster-scoped names never clash.
//    cert-manager is not available here (no image, no controllers): its Issuer, ClusterIssuer and
//    Certificate kinds are stand-in CRDs (cert-manager.io/v1, any content), which proves the
//    objects are accepted by name and kind, not that cert-manager would issue anything.
// 3. The selfManaged rendering for real: the webhook runs as the chart's ServiceAccount (a token
//    from the TokenRequest API) with exactly the chart's Role/ClusterRole, from the config.yaml of
//    the chart's ConfigMap. The chart's MutatingWebhookConfiguration is kept (name, webhooks,
//    selectors) except its clientConfig: a Service cannot be routed to here (no cluster IPs, no
//    kube-proxy), so it points at https://127.0.0.1:<port>/mutate with an empty caBundle, as a
//    fresh install has. The webhook creates the Secret, fills the caBundle, the apiserver injects
//    the pipeline pods the chart's selectors select (and only those), a blanked caBundle comes
//    back, and the ServiceAccount can do nothing else (least privilege).
import { X509Certificate, randomUUID } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  AdmissionregistrationV1Api,
  ApiException,
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1ResourceAttributes,
} from '@kubernetes/client-node';
import t from 'tap';
import { parse as parseYaml, stringify } from 'yaml';
import {
  apiErrorMessage,
  createNamespace,
  freePort,
  INJECTION_LABEL,
  loadKubeConfig,
  pipelinePod,
  startControlPlane,
  STATUS_ANNOTATION,
  tail,
  uniqueName,
  waitFor,
  type KubeStatus,
} from './cluster/index.js';
import { repoRoot } from './cluster/paths.js';
import { forgetRemoveAtExit, removeAtExit, spawnManaged, type ManagedProcess } from './cluster/processes.js';
import { ensureWebhookBuilt, webhookEntryPoint } from './cluster/webhook-build.js';
import { assertExampleInjected, assertNotInjected, waitForPod } from './helpers.js';
import { describe, ensureHelm, Helm, only, ResourcePaths, type Manifest } from './helm-render.js';

// ----- set-up -----------------------------------------------------------------------------------

const root = mkdtempSync(join(tmpdir(), 'fsi-helm-e2e-'));
removeAtExit(root);
// Before the control plane: a first helm build takes minutes and needs nothing running.
const helm = new Helm(await ensureHelm(), join(root, 'helm-home'));
const cp = await startControlPlane({ tmpRoot: root });
t.comment(`control plane ready in ${cp.startupMs} ms at ${cp.server}`);
ensureWebhookBuilt();
const admission = cp.kc.makeApiClient(AdmissionregistrationV1Api);
const core = cp.kc.makeApiClient(CoreV1Api);
const paths = new ResourcePaths(cp.rest);

type LogLine = Record<string, unknown> & { msg?: string };
let webhookProc: ManagedProcess | null = null;
let webhookLog = '';

t.teardown(async () => {
  if (!t.passing()) {
    const parts = [`[e2e] component logs (temp dir ${cp.dir}; set E2E_KEEP_DIR=1 to keep it)`, cp.logTails(40)];
    if (webhookLog !== '') parts.push(`----- webhook (${webhookLog}) -----\n${tail(webhookLog, 60)}`);
    process.stderr.write(`${parts.join('\n')}\n`);
  }
  await webhookProc?.stop(5000);
  await cp.stop();
  if (process.env.E2E_KEEP_DIR === undefined) {
    rmSync(root, { recursive: true, force: true });
    forgetRemoveAtExit(root);
  }
});

interface Mode {
  id: 'selfManaged' | 'certManager' | 'namespaceScope' | 'clusterReads';
  release: string;
  namespace: string;
  set: string[];
}

const MODES: Mode[] = [
  { id: 'selfManaged', release: 'fsi', namespace: 'fsi-system', set: [] },
  { id: 'certManager', release: 'fsi-cm', namespace: 'fsi-cm-system', set: ['certificates.mode=certManager'] },
  { id: 'namespaceScope', release: 'fsi-ns', namespace: 'fsi-ns-system', set: ['injection.scope=namespace'] },
  // Namespace policy and Feldera's ConfigMaps: the informer caches' read-only ClusterRole.
  { id: 'clusterReads', release: 'fsi-cr', namespace: 'fsi-cr-system', set: ['namespacePolicy.enabled=true', 'pipeline.configSource=both'] },
];
const rendered = new Map<Mode['id'], Manifest[]>();

function renderingOf(id: Mode['id']): Manifest[] {
  const manifests = rendered.get(id);
  if (manifests === undefined) throw new Error(`the ${id} rendering is missing (the render test failed)`);
  return manifests;
}

const RBAC_KINDS = ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'];
const CERT_MANAGER_KINDS = ['Issuer', 'ClusterIssuer', 'Certificate'];

// ----- 1. lint and render -----------------------------------------------------------------------

t.test('helm lint --strict and helm template, in each mode', async (t) => {
  t.comment(`${helm.bin}: ${(await helm.run(['version', '--short'])).stdout.trim()}`);
  for (const mode of MODES) {
    await helm.lint(mode.namespace, mode.set);
    t.pass(`helm lint --strict ${mode.set.join(' ') || '(defaults)'}`);
    const manifests = await helm.template(mode.release, mode.namespace, mode.set);
    rendered.set(mode.id, manifests);
    t.comment(`${mode.id}: ${manifests.map((m) => m.kind).join(', ')}`);
    const kinds = new Set(manifests.map((m) => m.kind));
    for (const kind of ['ServiceAccount', 'ConfigMap', 'Service', 'Deployment', 'MutatingWebhookConfiguration']) {
      t.ok(kinds.has(kind), `${mode.id}: renders a ${kind}`);
    }
    // events.enabled (the default): a ClusterRole <fullname>-events and its binding in every mode.
    const eventsRbac = manifests.filter((m) => RBAC_KINDS.includes(m.kind) && m.metadata.name.endsWith('-events'));
    t.strictSame(eventsRbac.map((m) => m.kind), ['ClusterRole', 'ClusterRoleBinding'], `${mode.id}: the events RBAC`);
    t.strictSame(eventsRbac[0]?.rules, [{ apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] }], `${mode.id}: exactly create and patch on events`);
    const certificateKinds = new Set(manifests.filter((m) => !eventsRbac.includes(m)).map((m) => m.kind));
    if (mode.id === 'certManager') {
      t.strictSame(RBAC_KINDS.filter((k) => certificateKinds.has(k)), [], 'certManager: no certificate RBAC');
      t.ok(kinds.has('Certificate') && kinds.has('Issuer'), 'certManager: cert-manager Issuers and Certificates');
    } else {
      t.strictSame(RBAC_KINDS.filter((k) => certificateKinds.has(k)), RBAC_KINDS, `${mode.id}: the selfManaged RBAC`);
      t.strictSame(CERT_MANAGER_KINDS.filter((k) => kinds.has(k)), [], `${mode.id}: no cert-manager objects`);
    }
    const reads = manifests.filter((m) => m.kind === 'ClusterRole' && String(m.metadata?.name).endsWith('-cluster-reads'));
    t.strictSame(
      reads.flatMap((r) => ((r as { rules?: Array<{ resources: string[]; verbs: string[] }> }).rules ?? []).map((rule) => [rule.resources, rule.verbs])),
      mode.id === 'clusterReads' ? [[['namespaces'], ['get', 'list', 'watch']], [['configmaps'], ['get', 'list', 'watch']]] : [],
      `${mode.id}: read-only cluster RBAC exactly when the config reads namespaces/configmaps`,
    );
  }
});

// ----- 1b. config.reload: what rolls the pods -----------------------------------------------------

t.test('config.reload: live rolls the pods only for restart-only settings, rollout for any config change', async (t) => {
  const podTemplate = async (set: string[]): Promise<{ args: string[]; annotations: Record<string, string> }> => {
    const deployment = only(await helm.template('fsi-reload', 'fsi-reload-system', set), 'Deployment');
    const template = (deployment.spec as { template: { metadata: { annotations?: Record<string, string> }; spec: { containers: Array<{ args: string[] }> } } }).template;
    return { args: template.spec.containers[0]?.args ?? [], annotations: template.metadata.annotations ?? {} };
  };
  const live = await podTemplate([]);
  t.strictSame(live.args.slice(-2), ['--config-reload', 'live'], 'default: the webhook reloads its config live');
  t.match(live.annotations, { 'checksum/restart-config': /^[0-9a-f]{64}$/ }, 'default: a checksum of the restart-only settings');
  t.notOk('checksum/config' in live.annotations, 'default: no checksum of the whole file');
  const livePolicy = await podTemplate(['pipeline.allowInitContainers=false', 'policy.maxSidecars.max=2', 'logLevel=debug']);
  t.equal(livePolicy.annotations['checksum/restart-config'], live.annotations['checksum/restart-config'], 'live: a policy change leaves the pod template alone');
  const liveRestart = await podTemplate(['server.bodyLimitBytes=1048576']);
  t.not(liveRestart.annotations['checksum/restart-config'], live.annotations['checksum/restart-config'], 'live: a restart-only setting rolls the pods');

  const rollout = await podTemplate(['config.reload=rollout']);
  t.strictSame(rollout.args.slice(-2), ['--config-reload', 'off'], 'rollout: the webhook reads its config once');
  t.match(rollout.annotations, { 'checksum/config': /^[0-9a-f]{64}$/ }, 'rollout: a checksum of the whole file');
  t.notOk('checksum/restart-config' in rollout.annotations, 'rollout: no restart-only checksum');
  const rolloutPolicy = await podTemplate(['config.reload=rollout', 'pipeline.allowInitContainers=false']);
  t.not(rolloutPolicy.annotations['checksum/config'], rollout.annotations['checksum/config'], 'rollout: a policy change rolls the pods');

  await t.rejects(helm.template('fsi-reload', 'fsi-reload-system', ['config.reload=sometimes']), /config\.reload/, 'config.reload=sometimes is refused, naming the value');
});

// ----- 2. the stand-in cert-manager CRDs ---------------------------------------------------------

function standInCrd(kind: string, plural: string, scope: 'Namespaced' | 'Cluster'): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.cert-manager.io` },
    spec: {
      group: 'cert-manager.io',
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      scope,
      versions: [
        { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
      ],
    },
  };
}

t.test('stand-in CRDs for cert-manager.io/v1 Issuer, ClusterIssuer and Certificate (cert-manager itself is not available here)', async (t) => {
  const crds = [standInCrd('Issuer', 'issuers', 'Namespaced'), standInCrd('ClusterIssuer', 'clusterissuers', 'Cluster'), standInCrd('Certificate', 'certificates', 'Namespaced')];
  for (const crd of crds) {
    const res = await cp.rest.post<KubeStatus>('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    t.equal(res.status, 201, `CRD ${(crd.metadata as { name: string }).name} created ${res.status === 201 ? '' : res.text}`);
  }
  const startedAt = Date.now();
  for (const crd of crds) {
    const name = (crd.metadata as { name: string }).name;
    await waitFor(
      `CRD ${name} Established`,
      async () => {
        const res = await cp.rest.get<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
        return res.body.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  }
  // Established means served; discovery (which paths are resolved from) follows a moment later.
  await waitFor(
    'cert-manager.io/v1 in discovery',
    async () => {
      const res = await cp.rest.get<{ resources?: Array<{ kind: string }> }>('/apis/cert-manager.io/v1');
      const kinds = (res.body.resources ?? []).map((r) => r.kind);
      return CERT_MANAGER_KINDS.every((k) => kinds.includes(k)) ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  t.pass(`Established and discoverable ${Date.now() - startedAt} ms after creation`);
});

// ----- 3. every rendered object accepted and stored ----------------------------------------------

for (const mode of MODES) {
  t.test(`${mode.id} (release ${mode.release}, namespace ${mode.namespace}): every rendered object is accepted and stored as rendered`, async (t) => {
    const manifests = renderingOf(mode.id);
    await createNamespace(cp.kc, { name: mode.namespace });
    for (const m of manifests) {
      const namespaced = await paths.namespaced(m);
      t.equal(m.metadata.namespace, namespaced ? mode.namespace : undefined, `${describe(m)}: ${namespaced ? 'in the release namespace' : 'cluster-scoped, no namespace'}`);
      const res = await cp.rest.post<KubeStatus>(`${await paths.collection(m)}?fieldValidation=Strict`, m);
      t.equal(res.status, 201, `${describe(m)}: created with fieldValidation=Strict ${res.status === 201 ? '' : (res.body.message ?? res.text)}`);
    }
    for (const m of manifests) {
      const res = await cp.rest.get(await paths.object(m));
      t.equal(res.status, 200, `${describe(m)}: read back`);
      t.hasStrict(res.body, m, `${describe(m)}: stored with every rendered field and value`);
    }
    if (mode.id !== 'selfManaged') {
      // Its clientConfig names a Service nothing can reach here and failurePolicy is Fail: left in
      // place it would refuse the pipeline pods of the self-managed test below (for certManager:
      // in every namespace). Only the selfManaged release's registration stays.
      const mwc = only(manifests, 'MutatingWebhookConfiguration');
      const res = await cp.rest.delete(await paths.object(mwc));
      t.equal(res.status, 200, `${describe(mwc)} deleted again (unroutable here)`);
    }
  });
}

// ----- 4. the self-managed flow with the chart's RBAC -------------------------------------------

const text = (data: Record<string, string> | undefined, key: string): string => Buffer.from(data?.[key] ?? '', 'base64').toString('utf8');

async function readSecretAs(kc: KubeConfig, namespace: string, name: string): Promise<{ code: number; data?: Record<string, string>; type?: string; labels?: Record<string, string> }> {
  try {
    const secret = await kc.makeApiClient(CoreV1Api).readNamespacedSecret({ name, namespace });
    return { code: 200, data: secret.data, type: secret.type, labels: secret.metadata?.labels };
  } catch (error) {
    if (error instanceof ApiException) return { code: error.code };
    throw error;
  }
}

async function caBundleOf(name: string): Promise<string> {
  const configuration = await admission.readMutatingWebhookConfiguration({ name });
  return configuration.webhooks?.[0]?.clientConfig.caBundle ?? '';
}

async function createPod(pod: Record<string, unknown>, dryRun = false): Promise<{ status: number; message: string; body: unknown }> {
  const metadata = pod.metadata as { namespace: string };
  const res = await cp.rest.post<KubeStatus>(`/api/v1/namespaces/${metadata.namespace}/pods${dryRun ? '?dryRun=All' : ''}`, pod);
  return { status: res.status, message: res.status === 201 ? '' : (res.body.message ?? res.text), body: res.body };
}

t.test('selfManaged for real: the webhook as the chart ServiceAccount with the chart RBAC creates its Secret, sets the caBundle, the apiserver injects', async (t) => {
  const mode = MODES[0] as Mode;
  const ns = mode.namespace;
  const manifests = renderingOf('selfManaged');
  const serviceAccount = only(manifests, 'ServiceAccount');
  const configMap = only(manifests, 'ConfigMap');
  const service = only(manifests, 'Service');
  const deployment = only(manifests, 'Deployment');
  const role = only(manifests, 'Role');
  const clusterRole = only(manifests, 'ClusterRole', `${mode.release}-feldera-sidecar-injector`);
  const chartMwc = only(manifests, 'MutatingWebhookConfiguration');
  const configText = (configMap.data as Record<string, string>)['config.yaml'] ?? '';
  const config = parseYaml(configText) as {
    certificates: { secretName: string; webhookConfigurationName: string; namespace: string; serviceName: string };
    tls: { certFile: string };
  };
  const secretName = config.certificates.secretName;
  const configurationName = config.certificates.webhookConfigurationName;

  // What the Deployment runs is what we run: its ServiceAccount, `serve --config` on the
  // ConfigMap's config.yaml, POD_NAMESPACE from the downward API, the TLS folder the config names.
  const podSpec = (deployment.spec as { template: { spec: Record<string, unknown> } }).template.spec as {
    serviceAccountName: string;
    containers: Array<{ args: string[]; env: Array<{ name: string; valueFrom?: unknown }>; volumeMounts: Array<{ name: string; mountPath: string }> }>;
    volumes: Array<{ name: string; configMap?: { name: string } }>;
  };
  const container = podSpec.containers[0];
  const configMount = container?.volumeMounts.find((v) => podSpec.volumes.find((vol) => vol.name === v.name)?.configMap?.name === configMap.metadata.name);
  t.equal(podSpec.serviceAccountName, serviceAccount.metadata.name, 'the Deployment runs as the rendered ServiceAccount');
  t.strictSame(
    container?.args,
    ['serve', '--config', `${configMount?.mountPath}/config.yaml`, '--config-reload', 'live'],
    'the Deployment runs serve --config <the ConfigMap>/config.yaml --config-reload live',
  );
  t.strictSame(container?.env.find((e) => e.name === 'POD_NAMESPACE')?.valueFrom, { fieldRef: { fieldPath: 'metadata.namespace' } }, 'POD_NAMESPACE from the downward API');
  t.ok(container?.volumeMounts.some((v) => v.mountPath === dirname(config.tls.certFile)), 'the config\'s TLS folder is a mounted volume');
  t.equal(secretName, `${mode.release}-feldera-sidecar-injector-tls`, 'the Secret name the chart configures');
  t.equal(configurationName, chartMwc.metadata.name, 'the config names the rendered MutatingWebhookConfiguration');
  t.equal(config.certificates.serviceName, service.metadata.name, 'the config names the rendered Service');
  t.equal(config.certificates.namespace, ns, 'the config names the release namespace');
  t.strictSame((role.rules as Array<{ resourceNames?: string[] }>)[0]?.resourceNames, [secretName], 'the Role names that Secret');
  t.strictSame((clusterRole.rules as Array<{ resourceNames?: string[] }>)[0]?.resourceNames, [configurationName], 'the ClusterRole names that configuration');

  // Namespaces for pipeline pods: served (cluster scope: any namespace but the excluded ones) and opted out.
  const podNs = uniqueName('pipelines');
  const optedOutNs = uniqueName('opted-out');
  await createNamespace(cp.kc, { name: podNs });
  await createNamespace(cp.kc, { name: optedOutNs, labels: { [INJECTION_LABEL]: 'disabled' } });

  // The chart's registration as rendered (clientConfig.service, unroutable here): pipeline pods are
  // refused, not admitted without their sidecars (failurePolicy Fail); other pods never reach it.
  const refused = await createPod(pipelinePod({ namespace: podNs, name: uniqueName('before') }), true);
  t.equal(refused.status, 500, 'with the webhook unreachable a pipeline pod is refused (failurePolicy Fail)');
  t.match(refused.message, `failed calling webhook "${(chartMwc.webhooks as Array<{ name: string }>)[0]?.name}"`, 'by the chart\'s webhook');
  const plain = pipelinePod({ namespace: podNs, name: uniqueName('plain') }) as { metadata: { labels: Record<string, string> } };
  plain.metadata.labels = {};
  const admittedPlain = await createPod(plain as unknown as Record<string, unknown>, true);
  t.equal(admittedPlain.status, 201, `a pod without the pipeline-id label is not sent to it (objectSelector) ${admittedPlain.message}`);

  // --- the ServiceAccount's credentials: TokenRequest, a kubeconfig with the token and the cluster CA
  const tokenRequest = await core.createNamespacedServiceAccountToken({
    name: serviceAccount.metadata.name,
    namespace: ns,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const token = tokenRequest.status?.token ?? '';
  t.ok(token.length > 0, 'TokenRequest issued a token for the rendered ServiceAccount');
  const dir = join(root, 'webhook');
  mkdirSync(dir, { recursive: true });
  const saKubeconfig = join(dir, 'serviceaccount.kubeconfig');
  const saUser = `system:serviceaccount:${ns}:${serviceAccount.metadata.name}`;
  writeFileSync(
    saKubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'feldera-e2e', cluster: { server: cp.server, 'certificate-authority': cp.pki.ca.certFile } }],
      users: [{ name: saUser, user: { token } }],
      contexts: [{ name: 'webhook', context: { cluster: 'feldera-e2e', user: saUser, namespace: ns } }],
      'current-context': 'webhook',
    }),
    { mode: 0o600 },
  );
  const saKc = loadKubeConfig(saKubeconfig);
  const review = await saKc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
  t.equal(review.status?.userInfo?.username, saUser, `the kubeconfig authenticates as ${saUser}`);

  // --- least privilege, as the apiserver's RBAC authorizer sees it
  const authz = saKc.makeApiClient(AuthorizationV1Api);
  const can = async (attributes: V1ResourceAttributes): Promise<boolean> =>
    (await authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: attributes } } })).status?.allowed === true;
  const ownSecret = { group: '', resource: 'secrets', namespace: ns, name: secretName };
  const ownConfiguration = { group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations', name: configurationName };
  // The bindings reach the authorizer's cache a moment after they were created.
  await waitFor('the chart RoleBinding to take effect', async () => ((await can({ ...ownSecret, verb: 'get' })) ? true : undefined), { timeoutMs: 30_000, intervalMs: 200 });
  await waitFor('the chart ClusterRoleBinding to take effect', async () => ((await can({ ...ownConfiguration, verb: 'get' })) ? true : undefined), { timeoutMs: 30_000, intervalMs: 200 });
  const matrix: Array<[string, V1ResourceAttributes, boolean]> = [
    ['get its Secret', { ...ownSecret, verb: 'get' }, true],
    ['update its Secret', { ...ownSecret, verb: 'update' }, true],
    ['create Secrets in its namespace', { group: '', resource: 'secrets', namespace: ns, verb: 'create' }, true],
    ['get its MutatingWebhookConfiguration', { ...ownConfiguration, verb: 'get' }, true],
    ['patch its MutatingWebhookConfiguration', { ...ownConfiguration, verb: 'patch' }, true],
    ['get another Secret', { ...ownSecret, name: 'someone-elses', verb: 'get' }, false],
    ['list Secrets', { group: '', resource: 'secrets', namespace: ns, verb: 'list' }, false],
    ['watch Secrets', { group: '', resource: 'secrets', namespace: ns, verb: 'watch' }, false],
    ['delete its Secret', { ...ownSecret, verb: 'delete' }, false],
    ['patch its Secret', { ...ownSecret, verb: 'patch' }, false],
    ['get a Secret of that name in another namespace', { ...ownSecret, namespace: podNs, verb: 'get' }, false],
    ['create Secrets in another namespace', { group: '', resource: 'secrets', namespace: podNs, verb: 'create' }, false],
    ['patch another MutatingWebhookConfiguration', { ...ownConfiguration, name: 'someone-elses', verb: 'patch' }, false],
    ['update its MutatingWebhookConfiguration', { ...ownConfiguration, verb: 'update' }, false],
    ['delete its MutatingWebhookConfiguration', { ...ownConfiguration, verb: 'delete' }, false],
    ['list MutatingWebhookConfigurations', { group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations', verb: 'list' }, false],
    ['get ConfigMaps', { group: '', resource: 'configmaps', namespace: ns, name: configMap.metadata.name, verb: 'get' }, false],
    ['create pods', { group: '', resource: 'pods', namespace: podNs, verb: 'create' }, false],
    ['create events.k8s.io Events where pipelines run', { group: 'events.k8s.io', resource: 'events', namespace: podNs, verb: 'create' }, true],
    ['patch events.k8s.io Events (their series)', { group: 'events.k8s.io', resource: 'events', namespace: podNs, verb: 'patch' }, true],
    ['get events.k8s.io Events', { group: 'events.k8s.io', resource: 'events', namespace: podNs, verb: 'get' }, false],
    ['list events.k8s.io Events', { group: 'events.k8s.io', resource: 'events', namespace: podNs, verb: 'list' }, false],
    ['delete events.k8s.io Events', { group: 'events.k8s.io', resource: 'events', namespace: podNs, verb: 'delete' }, false],
    ['create core v1 Events', { group: '', resource: 'events', namespace: podNs, verb: 'create' }, false],
  ];
  for (const [what, attributes, expected] of matrix) {
    t.equal(await can(attributes), expected, `the ServiceAccount ${expected ? 'may' : 'may not'} ${what}`);
  }

  // --- the chart's registration, pointed at a local webhook (a Service cannot be routed to here)
  const port = cp.webhookPort; // the port the harness's apiserver has a webhook client identity for
  await admission.deleteMutatingWebhookConfiguration({ name: configurationName });
  const chartWebhooks = chartMwc.webhooks as Array<Record<string, unknown>>;
  const localWebhooks = chartWebhooks.map((w) => ({ ...w, clientConfig: { url: `https://127.0.0.1:${port}/mutate`, caBundle: '' } }));
  const createdMwc = await cp.rest.post<KubeStatus>('/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations?fieldValidation=Strict', {
    ...chartMwc,
    webhooks: localWebhooks,
  });
  t.equal(createdMwc.status, 201, `the chart's MutatingWebhookConfiguration re-created with clientConfig.url ${createdMwc.status === 201 ? '' : (createdMwc.body.message ?? createdMwc.text)}`);
  const storedMwc = await admission.readMutatingWebhookConfiguration({ name: configurationName });
  const storedRaw = (await cp.rest.get<{ webhooks: Array<Record<string, unknown>> }>(`/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${configurationName}`)).body;
  t.hasStrict(
    storedRaw.webhooks.map((w) => ({ ...w, clientConfig: undefined })),
    chartWebhooks.map((w) => ({ ...w, clientConfig: undefined })),
    'same webhooks: name, rules, namespaceSelector, objectSelector, policies as rendered',
  );
  t.equal(storedMwc.webhooks?.[0]?.clientConfig.caBundle ?? '', '', 'caBundle empty, as after a fresh install');

  // --- no Secret yet; an unrelated Secret the webhook must not be able to read
  t.equal((await readSecretAs(cp.kc, ns, secretName)).code, 404, `no Secret ${secretName} before the webhook starts`);
  await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'someone-elses' }, stringData: { password: 'hunter2' } } });

  // --- the webhook process, as the Deployment runs it
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, configText);
  const tlsDir = join(dir, 'tls'); // absent, as an emptyDir is empty: the controller writes the files
  const metricsPort = await freePort();
  const sets: Record<string, string | number> = {
    'server.host': '127.0.0.1',
    'server.port': port,
    'server.metricsHost': '127.0.0.1',
    'server.metricsPort': metricsPort,
    'server.drainSeconds': 0, // the chart's 10 s drain would only slow the test's stop down
    'tls.certFile': join(tlsDir, 'tls.crt'),
    'tls.keyFile': join(tlsDir, 'tls.key'),
    'certificates.checkIntervalSeconds': 1,
  };
  const args = [webhookEntryPoint(), 'serve', '--config', configFile, '--config-reload', 'live', ...Object.entries(sets).flatMap(([key, value]) => ['--set', `${key}=${String(value)}`])];
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('SIDECAR_INJECTOR_') && !/_proxy$/i.test(name)),
  );
  env.KUBECONFIG = saKubeconfig;
  env.POD_NAMESPACE = ns;
  const lines: LogLine[] = [];
  webhookLog = join(dir, 'webhook.log');
  const proc = spawnManaged({
    name: 'webhook',
    command: process.execPath,
    args,
    logFile: webhookLog,
    env,
    cwd: repoRoot(),
    onStdoutLine: (line) => {
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        lines.push({ msg: line, unparsed: true });
      }
    },
  });
  webhookProc = proc;
  const died = (): string | null => {
    const info = proc.exitInfo();
    return info === null ? null : `the webhook exited (code ${String(info.code)}, signal ${String(info.signal)})\n${tail(webhookLog, 30)}`;
  };
  const waitForLog = (what: string, predicate: (line: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> =>
    waitFor(`webhook log: ${what}`, () => lines.find(predicate), { timeoutMs, intervalMs: 50, abort: died });
  const startedAt = Date.now();
  await waitForLog('serving admissions', (l) => l.msg === 'serving admissions', 60_000);
  t.pass(`the webhook serves ${Date.now() - startedAt} ms after start, as ${saUser}`);
  t.ok(lines.some((l) => l.msg === 'created the certificate Secret (new CA and serving certificate)'), 'it created the certificate Secret');

  // --- the Secret, the certificate, the caBundle
  const secret = await readSecretAs(cp.kc, ns, secretName);
  t.equal(secret.code, 200, `Secret ${ns}/${secretName} exists`);
  t.equal(secret.type, 'kubernetes.io/tls', 'type kubernetes.io/tls');
  t.strictSame(Object.keys(secret.data ?? {}).sort(), ['ca.crt', 'ca.key', 'tls.crt', 'tls.key'], 'CA and serving certificate with keys');
  const caPem = text(secret.data, 'ca.crt');
  const serving = new X509Certificate(text(secret.data, 'tls.crt'));
  t.ok(serving.checkIssued(new X509Certificate(caPem)), 'tls.crt issued by ca.crt');
  const svc = `${service.metadata.name}.${ns}.svc`;
  t.ok(serving.subjectAltName?.split(', ').includes(`DNS:${svc}`), `SANs include the rendered Service's DNS name ${svc} (what clientConfig.service dials)`);
  t.ok(serving.subjectAltName?.split(', ').includes('IP Address:127.0.0.1'), 'and 127.0.0.1 (what this test dials)');
  t.equal(await caBundleOf(configurationName), Buffer.from(caPem).toString('base64'), 'the caBundle of the chart\'s configuration is the Secret\'s CA');

  // --- the apiserver calls it and stores pipeline pods injected
  await waitFor(
    `the apiserver to call the webhook for pods in ${podNs}`,
    async () => {
      const res = await createPod(pipelinePod({ namespace: podNs, name: uniqueName('probe') }), true);
      if (res.status !== 201) throw new Error(`HTTP ${res.status}: ${res.message}`);
      return (res.body as { metadata?: { annotations?: Record<string, string> } }).metadata?.annotations?.[STATUS_ANNOTATION] !== undefined ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  const id = randomUUID();
  const pod = pipelinePod({ namespace: podNs, id });
  const podName = (pod.metadata as { name: string }).name;
  const created = await createPod(pod);
  t.equal(created.status, 201, `pipeline pod ${podNs}/${podName} created ${created.message}`);
  assertExampleInjected(t, await waitForPod(cp, podNs, podName), id);

  // --- the chart's selectors, with the webhook up: a pod that is not injected was not sent
  const notSent: Array<[string, Record<string, unknown>]> = [];
  const inReleaseNs = pipelinePod({ namespace: ns, name: uniqueName('release-ns') });
  notSent.push(['in the release namespace (excluded)', inReleaseNs]);
  notSent.push(['in a namespace labelled sidecar.feldera.com/injection=disabled', pipelinePod({ namespace: optedOutNs, name: uniqueName('opted-out') })]);
  const unlabelled = pipelinePod({ namespace: podNs, name: uniqueName('no-id-label') }) as { metadata: { labels: Record<string, string> } };
  unlabelled.metadata.labels = { 'app.kubernetes.io/name': 'feldera-pipeline' };
  notSent.push(['without the feldera.com/pipeline-id label (objectSelector)', unlabelled as unknown as Record<string, unknown>]);
  const optOutPod = pipelinePod({ namespace: podNs, name: uniqueName('inject-false') }) as { metadata: { labels: Record<string, string> } };
  optOutPod.metadata.labels = { ...optOutPod.metadata.labels, 'sidecar.feldera.com/inject': 'false' };
  notSent.push(['labelled sidecar.feldera.com/inject=false', optOutPod as unknown as Record<string, unknown>]);
  for (const [what, p] of notSent) {
    const meta = p.metadata as { namespace: string; name: string };
    const res = await createPod(p);
    t.equal(res.status, 201, `a pipeline pod ${what} is created ${res.message}`);
    assertNotInjected(t, await waitForPod(cp, meta.namespace, meta.name));
  }
  // Log lines are written in order: once a later pod's admission is logged, any for these would be.
  const last = pipelinePod({ namespace: podNs, id: randomUUID() });
  const lastName = (last.metadata as { name: string }).name;
  t.equal((await createPod(last)).status, 201, 'one more served pipeline pod');
  await waitForLog(`admission of ${lastName}`, (l) => l.msg === 'admission' && l.pod === lastName);
  for (const [what, p] of notSent) {
    const meta = p.metadata as { namespace: string; name: string };
    t.notOk(lines.some((l) => l.msg === 'admission' && l.namespace === meta.namespace && l.pod === meta.name), `the apiserver never sent the pod ${what}`);
  }

  // --- a blanked caBundle comes back (what a `helm upgrade` without lookup does)
  const blankedAt = Date.now();
  await admission.patchMutatingWebhookConfiguration(
    { name: configurationName, body: [{ op: 'replace', path: '/webhooks/0/clientConfig/caBundle', value: '' }] },
    setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
  );
  t.equal(await caBundleOf(configurationName), '', 'caBundle blanked');
  await waitFor('the caBundle to come back', async () => ((await caBundleOf(configurationName)) === Buffer.from(caPem).toString('base64') ? true : undefined), {
    timeoutMs: 15_000,
    intervalMs: 100,
  });
  t.pass(`caBundle restored ${Date.now() - blankedAt} ms after it was blanked (check interval 1 s), with the chart's patch permission`);
  // Log lines are written asynchronously: the API shows the repair before the line may arrive.
  const setLines = (): number => lines.filter((l) => l.msg === 'set caBundle on the webhook configuration to our CA').length;
  await waitFor('the repair log line', () => (setLines() >= 2 ? true : undefined), { timeoutMs: 5000, intervalMs: 50 });
  t.equal(setLines(), 2, 'set at start, repaired once');
  const after = pipelinePod({ namespace: podNs, id: randomUUID() });
  const afterName = (after.metadata as { name: string }).name;
  await waitFor(
    'a pipeline pod to be injected again',
    async () => {
      const res = await createPod(after);
      if (res.status !== 201) throw new Error(`HTTP ${res.status}: ${res.message}`);
      return true;
    },
    { timeoutMs: 15_000, intervalMs: 200 },
  );
  t.ok((await waitForPod(cp, podNs, afterName)).metadata.annotations?.[STATUS_ANNOTATION], 'pipeline pods are injected again after the repair');

  // --- least privilege, for real: its own Secret yes, any other no
  t.equal((await readSecretAs(saKc, ns, secretName)).code, 200, 'the ServiceAccount reads its own Secret');
  const other = await readSecretAs(saKc, ns, 'someone-elses');
  t.equal(other.code, 403, 'the ServiceAccount is refused (403) reading another Secret in its namespace');
  t.equal(other.data, undefined, 'and gets none of its data');
  try {
    await saKc.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: ns });
    t.fail('the ServiceAccount listed Secrets');
  } catch (error) {
    t.equal(error instanceof ApiException ? error.code : error, 403, `listing Secrets is refused (403): ${apiErrorMessage(error).slice(0, 160)}`);
  }
  t.notOk(lines.some((l) => l.level === 50 || l.level === 60), 'the webhook logged no errors');

  const exit = await proc.stop(5000);
  t.match(exit, { code: 0, signal: null, escalated: false }, 'SIGTERM: the webhook exits 0');
});
