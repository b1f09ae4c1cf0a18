// The CLI's help text.
export const USAGE = `feldera-sidecar-injector: a Kubernetes mutating admission webhook that injects the sidecars a
Feldera pipeline declares in runtime_config.init_containers.

Usage:
  feldera-sidecar-injector serve  [--config FILE] [--config-reload live|off] [--set key=value]... [--dev]
                                  [--host H] [--port N] [--metrics-port N]
                                  [--cert FILE] [--key FILE] [--client-ca FILE] [--log-level L]
                                  [--kubeconfig FILE]
  feldera-sidecar-injector inject -f FILE|- [--config FILE] [--set key=value]...
                                  [--output yaml|json|patch|review]
  feldera-sidecar-injector explain -f FILE|- [--config FILE] [--set key=value]... [--output text|json]
  feldera-sidecar-injector explain --live NAMESPACE/NAME [--kubeconfig FILE] [--config FILE] [--set key=value]...
                                  [--output text|json]
  feldera-sidecar-injector certs  [--out DIR] [--hosts h1,h2] [--service NAME] [--namespace NS]

serve    HTTPS webhook: POST /mutate, GET /healthz, GET /readyz; Prometheus metrics on
         http://<metricsHost>:<metricsPort>/metrics. --dev listens on 127.0.0.1 and creates dev
         certificates (certs/) when tls.certFile/keyFile do not exist. The config file is
         re-read when it changes (--config-reload off: read once); server, tls and
         certificates settings take effect only at the next start.
inject   Offline, like istioctl kube-inject: reads a Pod, a workload with a pod template
         (StatefulSet, Deployment, ...) or an AdmissionReview, YAML or JSON (several YAML
         documents too), and prints the result (default: the same format as the input).
         A denial exits with status 1 and the webhook's message; bad input exits with 2.
explain  The decision trail for the same inputs as inject, in plain words: how the pod was
         selected or why it was skipped, where the runtime config came from, every validation
         finding, every policy rule with its verdict and action, and what would change in the
         pod (a diff). --output json for tools. Exit status as inject. --live NAMESPACE/NAME
         reads a StatefulSet (else a pod) from the cluster of --kubeconfig (or KUBECONFIG,
         ~/.kube/config, the in-cluster service account) with the namespace's policy annotation
         (namespacePolicy.enabled) and Feldera's ConfigMap (pipeline.configSource), and explains it.
certs    A dev CA, a serving certificate (SANs: localhost, 127.0.0.1, ::1, the Service DNS
         names and --hosts) and a client certificate, into --out (default certs/).

Configuration: defaults < --config FILE (or $SIDECAR_INJECTOR_CONFIG) < SIDECAR_INJECTOR_<SECTION>__<KEY>
environment variables (e.g. SIDECAR_INJECTOR_PIPELINE__ALLOW_INIT_CONTAINERS=false) < --set
key.path=value < the named flags above.
`;
