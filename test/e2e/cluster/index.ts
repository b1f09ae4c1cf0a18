// The e2e harness: a real control plane, the built webhook as a process, and the glue between them.
export { ensureKubeBinaries, kubeBinDir, type KubeBinaries } from './binaries.js';
export { startControlPlane, type Component, type ControlPlane, type ControlPlaneOptions } from './control-plane.js';
export { exampleRuntimeConfig, nodePipelineStatefulSet, pipelinePod, pipelineStatefulSet, seedSidecar, standInPipelineCommand, RUNTIME_CONFIG_ANNOTATION, STATUS_ANNOTATION, type NodePipelineOptions, type PipelineStatefulSet } from './fixtures.js';
export { KubeRest, type KubeResponse, type KubeStatus } from './kube-rest.js';
export { loadKubeConfig } from './kubeconfig.js';
export { createNamespace, INJECTION_LABEL, OPT_IN, PROBE_NAMESPACE, uniqueName, waitForDefaultServiceAccount, type NamespaceSpec } from './namespaces.js';
export { issueClientCertificateFor, newAuthority, type ClusterPki, type PemFiles } from './pki.js';
export { freePort } from './ports.js';
export { killStaleProcesses, stopAll, tail } from './processes.js';
export { apiErrorMessage, registerWebhook, unregisterWebhook, waitUntilWebhookActive, webhookConfiguration, WEBHOOK_CONFIGURATION_NAME, WEBHOOK_NAME, type RegisterWebhookOptions } from './register-webhook.js';
export { sleep, waitFor } from './wait.js';
export { serialOf, startWebhook, type Webhook, type WebhookLogLine, type WebhookOptions } from './webhook-process.js';
export { describeDiff, diffMachine, snapshotMachine, type MachineDiff, type MachineState } from './machine-state.js';
export { PAUSE_IMAGE, SHELL_IMAGE } from './node-images.js';
export { findNodeTools, INSTALL_HINT, NODE_PACKAGES } from './node-prerequisites.js';
export type { NodeHandle, NodeSet } from './node.js';
export { ensureWebhookImage, type WebhookImage } from './webhook-image.js';
export { ensureHelm, ensureNodeBinaries, MATRIX_MINORS, type MatrixMinor } from './binaries.js';
