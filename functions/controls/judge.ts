/**
 * One reading of a kubelet's settings judged: WARNING when a setting cannot be judged (a blocking
 * problem), otherwise the control's evaluate, worded with what decided the value it names.
 */
import type { FileEvidence, KubeletProcess } from '../collector/evidence-schema.ts';
import { type EffectiveSetting, SettingProblemCode } from '../kubelet/effective-config.ts';
import { parseKubeletVersion } from '../kubelet/kubelet-version.ts';
import { showValue } from '../kubelet/setting-types.ts';
import { ComplianceStatus, type ControlContext, type ControlResult, type SettingControl } from './control.ts';

export interface JudgeInput {
  readonly control: SettingControl;
  readonly kubelet: KubeletProcess;
  readonly settings: Readonly<Record<string, EffectiveSetting>>;
  /** The setting a reason names when no verdict says otherwise. */
  readonly primary: string;
  readonly drift?: string;
  /**
   * When the collector cut the kubelet's argv: the same settings judged as if what was collected were
   * the whole command line (argv-cut.ts). Only ever reported as what is known, never as the verdict.
   */
  readonly collected?: Judged;
  /** The evidence's files, for controls that judge a file a setting names (ControlContext.files). */
  readonly files?: readonly FileEvidence[];
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

/**
 * A cut argv: any flag after the cut overrides the files and every earlier flag (pflag, last wins),
 * so no value and no verdict can be claimed for the process; the reason says what was collected.
 */
function cutArgv(input: JudgeInput): Judged {
  const { kubelet, drift, collected } = input;
  let known = '';
  if (collected !== undefined) {
    known =
      collected.status === ComplianceStatus.WARNING
        ? ` What was collected cannot be judged either: ${collected.reason}`
        : ` What was collected alone would be ${collected.status}: ${collected.reason}`;
  }
  const text =
    `A kubelet is running (PID ${kubelet.pid}) but the collector cut the command line after its first ${kubelet.argv.length} arguments, ` +
    `so a flag in the part that was cut may override every value read here and the verdict cannot be given.${known}`;
  return {
    status: ComplianceStatus.WARNING,
    reason: drift ? `${text} Drift: ${drift}.` : text,
    ...(drift ? { drift } : {}),
    evidence: {
      problem: SettingProblemCode.argvCut,
      argvCollected: String(kubelet.argv.length),
      ...(collected === undefined
        ? {}
        : {
            collectedStatus: collected.status,
            ...(collected.effectiveValue === undefined
              ? {}
              : { collectedValue: String(collected.effectiveValue) }),
          }),
    },
  };
}

function cannotJudge(input: JudgeInput): Judged | undefined {
  const { kubelet, drift } = input;
  const settings = Object.values(input.settings);
  if (settings.some((s) => s.problems.some((p) => p.code === SettingProblemCode.argvCut)))
    return cutArgv(input);
  for (const setting of settings) {
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
  const verdict = control.evaluate(contextOf(input));
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
    evidence: {
      ...verdict.evidence,
      effectiveValue: String(setting.value),
      decidedBy: setting.decidedByText ?? '',
    },
  };
}

/** What evaluate sees: the settings, and the kubelet's version, working directory and files. */
function contextOf(input: JudgeInput): ControlContext {
  const { kubelet, files } = input;
  const version = parseKubeletVersion(kubelet.version);
  return {
    settings: input.settings,
    ...(version === undefined ? {} : { kubeletVersion: version }),
    ...(kubelet.cwd === undefined ? {} : { kubeletCwd: kubelet.cwd }),
    ...(files === undefined ? {} : { files: (path: string) => fileAt(files, path, kubelet.pid) }),
  } as ControlContext;
}

/** The collected file at a host path in any role, preferring the copy recorded for this kubelet. */
function fileAt(files: readonly FileEvidence[], path: string, pid: number): FileEvidence | undefined {
  const copies = files.filter((f) => f.path === path);
  return copies.find((f) => f.pid === pid) ?? copies.find((f) => f.pid === undefined) ?? copies[0];
}
