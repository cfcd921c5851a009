/**
 * One reading of a kubelet's settings judged: WARNING when a setting cannot be judged (a blocking
 * problem), otherwise the control's evaluate, worded with what decided the value it names.
 */
import type { KubeletProcess } from '../collector/evidence-schema.ts';
import type { EffectiveSetting } from '../kubelet/effective-config.ts';
import { showValue } from '../kubelet/setting-types.ts';
import { ComplianceStatus, type ControlContext, type ControlResult, type SettingControl } from './control.ts';

export interface JudgeInput {
  readonly control: SettingControl;
  readonly kubelet: KubeletProcess;
  readonly settings: Readonly<Record<string, EffectiveSetting>>;
  /** The setting a reason names when no verdict says otherwise. */
  readonly primary: string;
  readonly drift?: string;
}

export type Judged = Omit<ControlResult, 'controlId' | 'evidence'> & {
  readonly evidence: Readonly<Record<string, string>>;
};

function overrideText(setting: EffectiveSetting): string {
  const { chain, decidedBy } = setting;
  if (decidedBy === undefined || decidedBy.kind === 'default') return '';
  // Only what the kubelet applied before the decider can be overridden by it (a drop-in null can make
  // the --config file decide although drop-ins follow it in the chain).
  const at = chain.findLastIndex((s) => JSON.stringify(s.provenance) === JSON.stringify(decidedBy));
  const lower = chain.slice(0, Math.max(0, at)).reverse();
  const previous = lower.find((s) => s.value !== null);
  if (previous === undefined) return '';
  const earlier = previous.provenance.kind === decidedBy.kind ? 'the earlier ' : '';
  return ` overrides ${earlier}${previous.text}`;
}

function cannotJudge(input: JudgeInput): Judged | undefined {
  const { kubelet, drift } = input;
  for (const setting of Object.values(input.settings)) {
    const blocking = setting.problems.find((p) => p.blocking);
    if (blocking === undefined && setting.determined) continue;
    const message = blocking?.message ?? 'its value could not be determined';
    const known = setting.determined
      ? ` Read as the kubelet would, the value is ${showValue(setting.value!)} (${setting.decidedByText}).`
      : '';
    const text = `A kubelet is running (PID ${kubelet.pid}) but its ${setting.spec.path} cannot be judged: ${message}.${known}`;
    return {
      status: ComplianceStatus.WARNING,
      reason: drift ? `${text} Drift: ${drift}.` : text,
      ...(setting.determined ? { effectiveValue: setting.value, decidedBy: setting.decidedBy } : {}),
      ...(drift ? { drift } : {}),
      evidence: { problem: blocking?.code ?? 'undetermined' },
    };
  }
  return undefined;
}

export function judgeSettings(input: JudgeInput): Judged {
  const unjudged = cannotJudge(input);
  if (unjudged) return unjudged;
  const { control, drift } = input;
  const verdict = control.evaluate({ settings: input.settings } as ControlContext);
  const setting = input.settings[verdict.decidedBy] ?? input.settings[input.primary]!;
  const remarks = [...setting.notes, ...setting.problems.map((p) => p.message)];
  const aside = remarks.length > 0 ? ` Note: ${remarks.join('; ')}.` : '';
  const text = `${verdict.reason}: ${setting.decidedByText}${overrideText(setting)}.${aside}`;
  return {
    status: verdict.status,
    reason: drift ? `${text} Drift: ${drift}.` : text,
    effectiveValue: setting.value,
    ...(setting.decidedBy ? { decidedBy: setting.decidedBy } : {}),
    ...(drift ? { drift } : {}),
    evidence: { effectiveValue: String(setting.value), decidedBy: setting.decidedByText ?? '' },
  };
}
