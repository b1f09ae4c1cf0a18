{{/*
Names. Every object name the chart and the webhook's config refer to comes from here, so the
names in the config file, the RBAC resourceNames and the objects themselves cannot drift apart.
*/}}

{{- define "fsi.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <release>-<chart>, or <release> when it already contains the chart name; at most 52
characters so that suffixes like "-selfsigned" stay within 63. */}}
{{- define "fsi.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "fsi.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "fsi.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fsi.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "fsi.labels" -}}
helm.sh/chart: {{ include "fsi.chart" . }}
{{ include "fsi.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: admission-webhook
app.kubernetes.io/part-of: feldera
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "fsi.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "fsi.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Service kube-apiserver dials; also certificates.serviceName in the config. */}}
{{- define "fsi.serviceName" -}}
{{- include "fsi.fullname" . }}
{{- end }}

{{/* The MutatingWebhookConfiguration; also certificates.webhookConfigurationName in the config and
the ClusterRole's resourceNames. */}}
{{- define "fsi.webhookConfigurationName" -}}
{{- include "fsi.fullname" . }}
{{- end }}

{{/* The Secret holding ca.crt/tls.crt/tls.key: written by the webhook (selfManaged; also
certificates.secretName and the Role's resourceNames) or by cert-manager (certManager). */}}
{{- define "fsi.tlsSecretName" -}}
{{- printf "%s-tls" (include "fsi.fullname" .) }}
{{- end }}

{{/* cert-manager objects (certManager mode). */}}
{{- define "fsi.servingCertificateName" -}}
{{- printf "%s-serving" (include "fsi.fullname" .) }}
{{- end }}
{{- define "fsi.selfSignedIssuerName" -}}
{{- printf "%s-selfsigned" (include "fsi.fullname" .) }}
{{- end }}
{{- define "fsi.caCertificateName" -}}
{{- printf "%s-ca" (include "fsi.fullname" .) }}
{{- end }}
{{- define "fsi.caIssuerName" -}}
{{- printf "%s-ca" (include "fsi.fullname" .) }}
{{- end }}

{{- define "fsi.image" -}}
{{- $tag := default .Chart.AppVersion (toString (default "" .Values.image.tag)) }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* Whether the webhook reads the cluster (namespace policy, Feldera's ConfigMaps): it then needs the token and RBAC. */}}
{{- define "fsi.clusterReads" -}}
{{- if or .Values.namespacePolicy.enabled (ne .Values.pipeline.configSource "annotation") }}true{{ end }}
{{- end }}

{{/* Whether it reads ConfigMaps in every namespace (a ClusterRole) rather than in pipeline.configMap.namespaces (a Role in each). */}}
{{- define "fsi.configMapsClusterWide" -}}
{{- if and (ne .Values.pipeline.configSource "annotation") (empty .Values.pipeline.configMap.namespaces) }}true{{ end }}
{{- end }}

{{/* Whether the cluster-wide read ClusterRole has anything to grant. */}}
{{- define "fsi.clusterWideReads" -}}
{{- if or .Values.namespacePolicy.enabled (include "fsi.configMapsClusterWide" .) }}true{{ end }}
{{- end }}

{{- define "fsi.selfManaged" -}}
{{- if eq .Values.certificates.mode "selfManaged" }}true{{ end }}
{{- end }}

{{/* Where the config file and the TLS files are inside the webhook container. */}}
{{- define "fsi.configDir" -}}/etc/feldera-sidecar-injector{{- end }}
{{- define "fsi.tlsDir" -}}/var/run/feldera-sidecar-injector/tls{{- end }}

{{/* Namespaces never served, in either injection scope. */}}
{{- define "fsi.excludedNamespaces" -}}
{{- $names := list "kube-system" "kube-public" "kube-node-lease" .Release.Namespace }}
{{- $names = concat $names (.Values.injection.excludeNamespaces | default list) | uniq }}
{{- toJson $names }}
{{- end }}

{{/*
The webhook's namespaceSelector (see injection.scope in values.yaml).
*/}}
{{- define "fsi.namespaceSelector" -}}
{{- $excluded := dict "key" "kubernetes.io/metadata.name" "operator" "NotIn" "values" (include "fsi.excludedNamespaces" . | fromJsonArray) }}
{{- if eq .Values.injection.scope "namespace" }}
{{- $selector := dict "matchLabels" (dict "sidecar.feldera.com/injection" "enabled") "matchExpressions" (list $excluded) }}
{{- toYaml $selector }}
{{- else }}
{{- $optOut := dict "key" "sidecar.feldera.com/injection" "operator" "NotIn" "values" (list "disabled") }}
{{- $selector := dict "matchExpressions" (list $excluded $optOut) }}
{{- toYaml $selector }}
{{- end }}
{{- end }}

{{/*
The webhook's objectSelector: webhook.objectSelector plus the per-pod opt-out, always.
*/}}
{{- define "fsi.objectSelector" -}}
{{- $selector := deepCopy (.Values.webhook.objectSelector | default dict) }}
{{- $expressions := get $selector "matchExpressions" | default list }}
{{- $optOut := dict "key" "sidecar.feldera.com/inject" "operator" "NotIn" "values" (list "false") }}
{{- $_ := set $selector "matchExpressions" (append $expressions $optOut) }}
{{- toYaml $selector }}
{{- end }}

{{/*
The caBundle currently in the cluster's MutatingWebhookConfiguration, if any. `helm upgrade`
renders the object without it otherwise (the webhook, or cert-manager's CA injector, fills it at
run time), which would leave kube-apiserver unable to verify the webhook until it is repaired.
lookup returns nothing under `helm template` and `--dry-run`, so the output then has no caBundle.
*/}}
{{- define "fsi.existingCABundle" -}}
{{- $existing := lookup "admissionregistration.k8s.io/v1" "MutatingWebhookConfiguration" "" (include "fsi.webhookConfigurationName" .) }}
{{- $found := "" }}
{{- range $webhook := (get ($existing | default dict) "webhooks" | default list) }}
{{- $bundle := dig "clientConfig" "caBundle" "" $webhook }}
{{- if and (not $found) $bundle (eq (get $webhook "name") $.Values.webhook.name) }}
{{- $found = $bundle }}
{{- end }}
{{- end }}
{{- $found }}
{{- end }}

{{/* A map of resource name -> quantity, with every quantity as a string. */}}
{{- define "fsi.quantities" -}}
{{- $out := dict }}
{{- range $name, $quantity := (. | default dict) }}
{{- $_ := set $out $name (toString $quantity) }}
{{- end }}
{{- toJson $out }}
{{- end }}

{{/*
The webhook's config file. Keys are exactly those of Config in src/config/config.ts: the webhook
refuses to start on an unknown key. Numbers go through int64 so large ones are not rendered in
exponent notation.
*/}}
{{- define "fsi.config" -}}
{{- $v := .Values }}
{{- $p := $v.policy }}
{{- $maxSidecars := dict "action" $p.maxSidecars.action }}
{{- if not (kindIs "invalid" $p.maxSidecars.max) }}
{{- $_ := set $maxSidecars "max" (int64 $p.maxSidecars.max) }}
{{- end }}
{{- $config := dict
  "pipeline" (dict
    "allowInitContainers" $v.pipeline.allowInitContainers
    "runtimeConfigAnnotation" $v.pipeline.runtimeConfigAnnotation
    "idLabel" $v.pipeline.idLabel
    "port" (int64 $v.pipeline.port)
    "configSource" $v.pipeline.configSource
    "configMap" (dict "nameTemplate" $v.pipeline.configMap.nameTemplate "key" $v.pipeline.configMap.key "namespaces" (default (list) $v.pipeline.configMap.namespaces)))
  "namespacePolicy" (dict "enabled" $v.namespacePolicy.enabled)
  "sidecars" (dict
    "defaultResources" (dict
      "requests" (include "fsi.quantities" $v.sidecars.defaultResources.requests | fromJson)
      "limits" (include "fsi.quantities" $v.sidecars.defaultResources.limits | fromJson))
    "placement" $v.sidecars.placement
    "injectEnv" $v.sidecars.injectEnv)
  "policy" (dict
    "allowedImages" (dict "patterns" ($p.allowedImages.patterns | default list) "action" $p.allowedImages.action)
    "maxSidecars" $maxSidecars
    "resourceCaps" (dict
      "requests" (include "fsi.quantities" $p.resourceCaps.requests | fromJson)
      "limits" (include "fsi.quantities" $p.resourceCaps.limits | fromJson)
      "action" $p.resourceCaps.action)
    "podSecurity" (dict "level" $p.podSecurity.level "action" $p.podSecurity.action))
  "server" (dict
    "host" "0.0.0.0"
    "port" (int64 $v.server.port)
    "metricsHost" "0.0.0.0"
    "metricsPort" (int64 $v.server.metricsPort)
    "bodyLimitBytes" (int64 $v.server.bodyLimitBytes)
    "drainSeconds" (int64 $v.server.drainSeconds))
  "tls" (dict
    "certFile" (printf "%s/tls.crt" (include "fsi.tlsDir" .))
    "keyFile" (printf "%s/tls.key" (include "fsi.tlsDir" .)))
  "events" (dict
    "mode" (ternary "on" "off" $v.events.enabled)
    "queueSize" (int64 $v.events.queueSize)
    "seriesWindowSeconds" (int64 $v.events.seriesWindowSeconds))
  "log" (dict "level" $v.logLevel)
}}
{{- if include "fsi.selfManaged" . }}
{{- $_ := set $config "certificates" (dict
  "mode" "selfManaged"
  "namespace" .Release.Namespace
  "secretName" (include "fsi.tlsSecretName" .)
  "webhookConfigurationName" (include "fsi.webhookConfigurationName" .)
  "serviceName" (include "fsi.serviceName" .)
  "validityDays" (int64 $v.certificates.selfManaged.validityDays)
  "renewBeforeDays" (int64 $v.certificates.selfManaged.renewBeforeDays)
  "checkIntervalSeconds" (int64 $v.certificates.selfManaged.checkIntervalSeconds)) }}
{{- else }}
{{- $_ := set $config "certificates" (dict "mode" "files") }}
{{- end }}
{{- toYaml $config }}
{{- end }}

{{/* The settings of the config file the webhook takes on only at start (RESTART_ONLY in
src/config/change.ts); with config.reload live their checksum is what rolls the pods. */}}
{{- define "fsi.restartOnlyConfig" -}}
{{- $config := include "fsi.config" . | fromYaml }}
{{- $restartOnly := pick $config "server" "tls" "certificates" "events" "namespacePolicy" "cluster" }}
{{- $_ := set $restartOnly "pipeline.configSource" (dig "pipeline" "configSource" "annotation" $config) }}
{{- $_ := set $restartOnly "pipeline.configMap.namespaces" (dig "pipeline" "configMap" "namespaces" (list) $config) }}
{{- toYaml $restartOnly }}
{{- end }}

{{/* Chart-level checks that the schema cannot express. */}}
{{- define "fsi.validate" -}}
{{- if le (int64 .Values.terminationGracePeriodSeconds) (int64 .Values.server.drainSeconds) }}
{{- fail (printf "terminationGracePeriodSeconds (%v) must be larger than server.drainSeconds (%v): kubelet would kill the webhook before it has drained" .Values.terminationGracePeriodSeconds .Values.server.drainSeconds) }}
{{- end }}
{{- if eq (int64 .Values.server.port) (int64 .Values.server.metricsPort) }}
{{- fail "server.port and server.metricsPort must differ" }}
{{- end }}
{{- if and .Values.podDisruptionBudget.enabled (kindIs "invalid" .Values.podDisruptionBudget.minAvailable) (kindIs "invalid" .Values.podDisruptionBudget.maxUnavailable) }}
{{- fail "podDisruptionBudget: set minAvailable or maxUnavailable (or enabled: false)" }}
{{- end }}
{{- if and (not (kindIs "invalid" .Values.podDisruptionBudget.minAvailable)) (not (kindIs "invalid" .Values.podDisruptionBudget.maxUnavailable)) }}
{{- fail "podDisruptionBudget: set only one of minAvailable and maxUnavailable" }}
{{- end }}
{{- end }}
