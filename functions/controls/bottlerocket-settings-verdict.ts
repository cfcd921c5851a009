/**
 * A kubelet-setting control judged on the configuration Bottlerocket renders from settings.kubernetes
 * (bottlerocket-rendered.ts): each setting the control declares gets the rendered value, or the
 * kubelet's v1beta1 default where the template writes nothing (the kubelet always runs with --config
 * there), and the control's own evaluate judges them, so its verdict and words are the same as on a
 * host whose files the collector reads.
 */
import type { EffectiveSetting, SettingSpec } from '../kubelet/effective-config.ts';
import { parseKubeletArgv } from '../kubelet/flags.ts';
import { isZeroValue, type SettingValue, showValue } from '../kubelet/setting-types.ts';
import {
  BOTTLEROCKET_KUBELET_CONFIG,
  type RenderedValue,
  type RenderInput,
  renderedArgv,
  renderedValue,
} from './bottlerocket-rendered.ts';
import { ComplianceStatus, type Control, type ControlContext, isFileControl } from './control.ts';

/** A verdict from the rendered configuration, or why there is none. */
export type SettingsVerdict =
  | {
      readonly ok: true;
      readonly status: ComplianceStatus;
      readonly reason: string;
      readonly effectiveValue?: SettingValue;
      /** "eventRecordQPS=7 (settings.kubernetes.event-qps is 7)", one per declared setting. */
      readonly settingsText: string;
    }
  | { readonly ok: false; readonly reason: string };

interface Rendered {
  readonly spec: SettingSpec;
  readonly from: RenderedValue;
  readonly value: SettingValue;
  readonly text: string;
}

function render(spec: SettingSpec, input: RenderInput): Rendered {
  const from = renderedValue(spec.path, input);
  // defaults.go re-defaults a zero value of a non-pointer field (zeroIsDefaulted) written in the file.
  const defaulted = !from.rendered || (spec.zeroIsDefaulted === true && isZeroValue(from.value!));
  const value = defaulted ? spec.default : from.value!;
  const text = from.rendered
    ? `${spec.path}: ${showValue(from.value!)} as Bottlerocket renders ${BOTTLEROCKET_KUBELET_CONFIG} (${from.source})${defaulted ? `, which the kubelet replaces with its default ${showValue(value)}` : ''}`
    : `the kubelet default (${showValue(value)}): ${from.source}`;
  return { spec, from, value, text };
}

function effective(
  r: Rendered,
  argv: readonly string[],
): EffectiveSetting & { readonly value: SettingValue } {
  const provenance = r.from.rendered
    ? ({ kind: 'config-file', path: BOTTLEROCKET_KUBELET_CONFIG } as const)
    : ({ kind: 'default' } as const);
  return {
    spec: r.spec,
    determined: true,
    value: r.value,
    decidedBy: provenance,
    decidedByText: r.text,
    chain: r.from.rendered ? [{ provenance, value: r.from.value, text: r.text }] : [],
    problems: [],
    notes: [],
    argv,
    parsed: parseKubeletArgv(argv),
    configPath: BOTTLEROCKET_KUBELET_CONFIG,
  };
}

/** The control judged on what Bottlerocket renders; `ok: false` when it declares no kubelet setting. */
export function settingsVerdict(control: Control, input: RenderInput): SettingsVerdict {
  if (isFileControl(control)) {
    return { ok: false, reason: `${control.id} judges files, which Bottlerocket's settings do not describe` };
  }
  const specs = Object.entries(control.settings);
  if (specs.length === 0) {
    return {
      ok: false,
      reason: `${control.id} judges no kubelet setting that Bottlerocket's settings render`,
    };
  }
  const rendered = specs.map(([name, spec]) => [name, render(spec, input)] as const);
  const settingsText = rendered
    .map(([, r]) => `${r.spec.path}=${showValue(r.value)} (${r.from.source})`)
    .join('; ');
  for (const [, r] of rendered) {
    const refusal = r.spec.validate?.(r.value);
    if (refusal !== undefined) {
      return {
        ok: true,
        status: ComplianceStatus.WARNING,
        reason: `The kubelet would refuse ${r.text}: ${refusal}`,
        effectiveValue: r.value,
        settingsText,
      };
    }
  }
  const argv = renderedArgv(input.settings);
  const settings = Object.fromEntries(rendered.map(([name, r]) => [name, effective(r, argv)]));
  let verdict: ReturnType<typeof control.evaluate>;
  try {
    verdict = control.evaluate({ settings } as ControlContext);
  } catch (error) {
    // A control whose evaluate needs more than its settings (files, the kubelet's version) cannot be
    // judged from the rendered configuration alone.
    const why = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `${control.id} cannot be judged from the rendered settings alone (${why})` };
  }
  const decider = rendered.find(([name]) => name === verdict.decidedBy)?.[1] ?? rendered[0]![1];
  return {
    ok: true,
    status: verdict.status,
    reason: `${verdict.reason}: ${decider.text}`,
    effectiveValue: decider.value,
    settingsText,
  };
}
