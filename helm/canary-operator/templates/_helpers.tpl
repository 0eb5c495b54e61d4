{{/* The release's full name, cut to 63 characters (a DNS label). */}}
{{- define "canary-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "canary-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "canary-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "canary-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "canary-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "canary-operator.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* "true" or "": two writers without a lease would fight over the same VirtualServices. */}}
{{- define "canary-operator.leaderElection" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.replicas) 1) -}}true{{- end -}}
{{- end -}}

{{/*
The rules a namespace needs, in the ClusterRole (cluster-wide) or in each watched namespace's Role.
Exactly the calls the operator makes: informers list and watch, the finalizer is added and removed
by patch, status is server-side applied (patch on the subresource), the VirtualService is read and
updated with its resourceVersion (never patched, created or deleted), events are only created,
Deployments are watched (spec.finalize names them; a change wakes the release up) and patched only
with rbac.copyToStable.
*/}}
{{- define "canary-operator.namespaceRules" -}}
- apiGroups: [canaryoperator.dev]
  resources: [canaryreleases]
  verbs: [get, list, watch, patch]
- apiGroups: [canaryoperator.dev]
  resources: [canaryreleases/status]
  verbs: [patch]
- apiGroups: [networking.istio.io]
  resources: [virtualservices]
  verbs: [get, list, watch, update]
- apiGroups: [""]
  resources: [events]
  verbs: [create]
# spec.finalize: the stable and canary Deployments, watched so that their changes wake the release.
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch{{ if .Values.rbac.copyToStable }}, patch{{ end }}]
{{- if .Values.rbac.readSecrets }}
# Prometheus credentials, read by name when an analysis runs; never listed or watched.
- apiGroups: [""]
  resources: [secrets]
  verbs: [get]
{{- end }}
{{- end -}}
