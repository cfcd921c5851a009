/**
 * The kubelet settings the CIS worker-node controls judge: path, flag, type and defaults, read from
 * the Kubernetes source (pkg/kubelet/apis/config/v1beta1/defaults.go SetDefaults_KubeletConfiguration,
 * cmd/kubelet/app/options/options.go AddKubeletConfigFlags and applyLegacyDefaults,
 * pkg/kubelet/apis/config/validation/validation.go, pkg/features/kube_features.go).
 */
import type { SettingSpec } from './setting.ts';
import type { SettingValue } from './setting-types.ts';

function portRange(value: SettingValue): string | undefined {
  // validation.go: readOnlyPort must be 0 (off) or a valid port number.
  return typeof value === 'number' && (value < 0 || value > 65535)
    ? `readOnlyPort (--read-only-port) ${value} must be between 0 and 65535, inclusive`
    : undefined;
}

function authorizationModeKnown(value: SettingValue): string | undefined {
  // Not in validation.go: cmd/kubelet/app/auth.go BuildAuthz switches on the mode (case-sensitive) and
  // returns "no authorization mode specified" for "" and "unknown authorization mode" for anything but
  // AlwaysAllow and Webhook, and the kubelet exits. A --config file's "" is re-defaulted to Webhook
  // before this; a flag's "" is not, nor a drop-in's up to 1.31 (merged without re-defaulting).
  if (typeof value !== 'string' || value === 'AlwaysAllow' || value === 'Webhook') return undefined;
  return value === ''
    ? 'authorization.mode (--authorization-mode) is empty: no authorization mode specified (only AlwaysAllow and Webhook exist)'
    : `authorization.mode (--authorization-mode) ${JSON.stringify(value)} is an unknown authorization mode (only AlwaysAllow and Webhook exist)`;
}

function notNegative(value: SettingValue): string | undefined {
  return typeof value === 'number' && value < 0
    ? `eventRecordQPS (--event-qps) ${value} must not be a negative number`
    : undefined;
}

export const KubeletSettings = {
  anonymousAuth: {
    path: 'authentication.anonymous.enabled',
    flag: 'anonymous-auth',
    type: 'bool',
    // defaults.go: Anonymous.Enabled (a *bool) defaults to false; options.go applyLegacyDefaults: true.
    default: false,
    legacyDefault: true,
  },
  webhookAuthn: {
    path: 'authentication.webhook.enabled',
    flag: 'authentication-token-webhook',
    type: 'bool',
    default: true,
    legacyDefault: false,
  },
  clientCAFile: {
    path: 'authentication.x509.clientCAFile',
    flag: 'client-ca-file',
    type: 'string',
    default: '',
  },
  authorizationMode: {
    path: 'authorization.mode',
    flag: 'authorization-mode',
    type: 'string',
    // defaults.go: `if obj.Authorization.Mode == ""` → Webhook (a plain string: "" is re-defaulted).
    default: 'Webhook',
    legacyDefault: 'AlwaysAllow',
    zeroIsDefaulted: true,
    validate: authorizationModeKnown,
  },
  readOnlyPort: {
    path: 'readOnlyPort',
    flag: 'read-only-port',
    type: 'int32',
    // No v1beta1 default (0 = off); applyLegacyDefaults: ports.KubeletReadOnlyPort.
    default: 0,
    legacyDefault: 10255,
    validate: portRange,
  },
  streamingConnectionIdleTimeout: {
    path: 'streamingConnectionIdleTimeout',
    flag: 'streaming-connection-idle-timeout',
    type: 'duration',
    // defaults.go: `if obj.StreamingConnectionIdleTimeout == zeroDuration` → 4h.
    default: '4h0m0s',
    zeroIsDefaulted: true,
  },
  makeIPTablesUtilChains: {
    path: 'makeIPTablesUtilChains',
    flag: 'make-iptables-util-chains',
    type: 'bool',
    // defaults.go: MakeIPTablesUtilChains (a *bool) defaults to true.
    default: true,
  },
  eventRecordQPS: {
    path: 'eventRecordQPS',
    flag: 'event-qps',
    type: 'int32',
    // defaults.go: EventRecordQPS (a *int32) defaults to 50 (5 before 1.27); an explicit 0 stays 0,
    // and client-go then uses its DefaultQPS of 5 (controls/event-qps.ts). validation.go: not negative.
    default: 50,
    validate: notNegative,
  },
  rotateCertificates: {
    path: 'rotateCertificates',
    flag: 'rotate-certificates',
    type: 'bool',
    // A plain bool in v1beta1: defaults.go sets nothing and applyLegacyDefaults does not touch it.
    default: false,
  },
  serverTLSBootstrap: {
    path: 'serverTLSBootstrap',
    flag: 'rotate-server-certificates',
    type: 'bool',
    // A plain bool, default false; validation.go refuses true while RotateKubeletServerCertificate is off.
    default: false,
  },
  rotateKubeletServerCertificateGate: {
    path: 'featureGates.RotateKubeletServerCertificate',
    flag: 'feature-gates',
    gate: 'RotateKubeletServerCertificate',
    type: 'bool',
    // kube_features.go: Beta, default true since 1.12; not locked (no LockToDefault) through 1.35, so
    // the kubelet accepts false. A non-bool value is refused (MapStringBool / map[string]bool decode).
    default: true,
  },
} as const satisfies Record<string, SettingSpec>;
