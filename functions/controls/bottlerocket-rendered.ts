/**
 * The kubelet configuration Bottlerocket renders from its settings, for the settings the CIS worker-node
 * controls judge. Bottlerocket writes /etc/kubernetes/kubelet/config from the template
 * bottlerocket-os/bottlerocket-core-kit packages/kubernetes-1.XX/kubelet-config (the same for these keys
 * in every version from 1.24 to 1.35) and starts the kubelet with --config and, unless
 * settings.kubernetes.standalone-mode is true, --kubeconfig (kubelet-exec-start-conf), never with a flag
 * for any of these settings and never with --config-dir. What the template does not write is the
 * kubelet's own v1beta1 default.
 */
import type { BottlerocketEvidence } from '../collector/evidence-schema.ts';
import type { SettingValue } from '../kubelet/setting-types.ts';

export const BOTTLEROCKET_KUBELET_CONFIG = '/etc/kubernetes/kubelet/config';
export const BOTTLEROCKET_KUBECONFIG = '/etc/kubernetes/kubelet/kubeconfig';

type Settings = NonNullable<BottlerocketEvidence['settings']>;

/** What the template does with one config key, given the node's settings. */
export interface RenderedValue {
  /** False when the template does not write the key (the kubelet default applies). */
  readonly rendered: boolean;
  readonly value?: SettingValue;
  /** Which setting (or the template itself) decided it, in a reason's words. */
  readonly source: string;
}

export interface RenderInput {
  readonly settings: Settings;
  /** Secret settings that are set (by name only). */
  readonly present: readonly string[];
}

const NOT_WRITTEN: RenderedValue = {
  rendered: false,
  source: "Bottlerocket's kubelet config template does not set it",
};

function standalone(s: Settings): { readonly on: boolean; readonly text: string } {
  const on = s['standalone-mode'] === true;
  return {
    on,
    text: `settings.kubernetes.standalone-mode is ${s['standalone-mode'] === undefined ? 'not set' : String(on)}`,
  };
}

/** `{{#if standalone-mode}} … {{else}} … {{/if}}`: the authentication and authorization block. */
function byStandalone(whenOn: SettingValue | undefined, whenOff: SettingValue | undefined) {
  return ({ settings }: RenderInput): RenderedValue => {
    const mode = standalone(settings);
    const value = mode.on ? whenOn : whenOff;
    return value === undefined
      ? { rendered: false, source: `${mode.text}, for which Bottlerocket's template does not set it` }
      : { rendered: true, value, source: mode.text };
  };
}

/** `{{#if event-qps includeZero=true}}eventRecordQPS: …{{/if}}`. */
function eventQps({ settings }: RenderInput): RenderedValue {
  const qps = settings['event-qps'];
  return qps === undefined
    ? { rendered: false, source: 'settings.kubernetes.event-qps is not set' }
    : { rendered: true, value: qps, source: `settings.kubernetes.event-qps is ${qps}` };
}

/**
 * With both server-certificate and server-key set the template writes tlsCertFile/tlsPrivateKeyFile
 * instead; otherwise `serverTLSBootstrap: {{server-tls-bootstrap}}` (an unset setting renders an empty
 * YAML value, null, which leaves the kubelet default false).
 */
function serverTlsBootstrap({ settings, present }: RenderInput): RenderedValue {
  if (present.includes('server-certificate') && present.includes('server-key')) {
    return {
      rendered: false,
      source:
        'settings.kubernetes.server-certificate and server-key are set, so Bottlerocket writes tlsCertFile and tlsPrivateKeyFile instead',
    };
  }
  const value = settings['server-tls-bootstrap'];
  return value === undefined
    ? { rendered: false, source: 'settings.kubernetes.server-tls-bootstrap is not set' }
    : { rendered: true, value, source: `settings.kubernetes.server-tls-bootstrap is ${value}` };
}

const RENDERERS: Readonly<Record<string, (input: RenderInput) => RenderedValue>> = {
  'authentication.anonymous.enabled': byStandalone(true, false),
  'authentication.webhook.enabled': byStandalone(false, true),
  'authentication.x509.clientCAFile': byStandalone(undefined, '/etc/kubernetes/pki/ca.crt'),
  'authorization.mode': byStandalone('AlwaysAllow', 'Webhook'),
  readOnlyPort: () => ({ rendered: true, value: 0, source: "Bottlerocket's template always writes it" }),
  eventRecordQPS: eventQps,
  serverTLSBootstrap: serverTlsBootstrap,
};

/** What Bottlerocket writes for this config path (KubeletConfiguration v1beta1, dotted). */
export function renderedValue(path: string, input: RenderInput): RenderedValue {
  return RENDERERS[path]?.(input) ?? NOT_WRITTEN;
}

/** The kubelet's command line as Bottlerocket's kubelet-exec-start-conf gives it (the flags that matter here). */
export function renderedArgv(settings: Settings): string[] {
  const kubeconfig = standalone(settings).on ? [] : ['--kubeconfig', BOTTLEROCKET_KUBECONFIG];
  return ['/usr/bin/kubelet', ...kubeconfig, '--config', BOTTLEROCKET_KUBELET_CONFIG];
}

/** The standalone-mode setting as a reason states it. */
export function standaloneText(settings: Settings): string {
  return standalone(settings).text;
}
