/**
 * Runs a control on one node: resolves the kubelet settings it declares (effective-config.ts), answers
 * every case its evaluate cannot (not applicable, host not visible, no kubelet, a setting that cannot
 * be judged, a verdict that depends on an unknown kubelet version, kubelets that disagree) and words
 * the result with what decided the value.
 *
 * NOT_AVAILABLE: not applicable (Control.applicability), host not visible, no host kubelet. WARNING: a
 * kubelet runs but the evidence is incomplete or inconsistent (SettingProblem.blocking), the verdict
 * differs between the drop-in merges of kubelets up to 1.31 and from 1.32 and the version is unknown,
 * or several host kubelets disagree. PASSED/FAILED: the control's evaluate on the effective values.
 * A file control shares the cases up to "no host kubelet" and is then run by run-file-control.ts.
 */
import type { KubeletProcess } from '../collector/evidence-schema.ts';
import { renderPsLine } from '../collector/ps-line.ts';
import { type EffectiveSetting, effectiveSetting } from '../kubelet/effective-config.ts';
import { notApplicableCase } from './applicability.ts';
import { collectedReading } from './argv-cut.ts';
import { bottlerocketResult } from './bottlerocket-verdict.ts';
import {
  ComplianceStatus,
  type Control,
  type ControlResult,
  isFileControl,
  type NodeEvaluationInput,
  type SettingControl,
} from './control.ts';
import { baseEvidence, clip, clipEvidence, MAX_REASON, unassessed } from './control-result.ts';
import { driftText } from './drift.ts';
import { judgeSettings } from './judge.ts';
import { runFileControl } from './run-file-control.ts';

type Resolved = Readonly<Record<string, EffectiveSetting>>;

function settingNames(control: SettingControl): string[] {
  return Object.keys(control.settings);
}

function facts(input: NodeEvaluationInput, kubelet: KubeletProcess, primary: EffectiveSetting) {
  const evidence: Record<string, string> = {
    ...baseEvidence(input),
    kubeletPid: String(kubelet.pid),
    kubeletCommand: renderPsLine(kubelet, input.evidence.host),
  };
  if (primary.configPath) evidence.configFile = primary.configPath;
  if (primary.configDir) evidence.configDir = primary.configDir;
  const flagArgs = primary.parsed.occurrences
    .filter((o) => o.name === primary.spec.flag)
    .map((o) => `argument ${o.index}: ${o.arg}`);
  if (flagArgs.length > 0) evidence.flagArguments = flagArgs.join('; ');
  for (const source of primary.chain) {
    if (source.provenance.kind === 'config-file') evidence.configValue = String(source.value);
  }
  return evidence;
}

/** The reading of every setting for one drop-in merge (the setting itself when it does not depend on it). */
function readingFor(resolved: Resolved, merge: 'upTo131' | 'from132'): Resolved {
  return Object.fromEntries(
    Object.entries(resolved).map(([name, s]) => [name, s.byVersion === undefined ? s : s.byVersion[merge]]),
  );
}

function evaluateOne(
  control: SettingControl,
  input: NodeEvaluationInput,
  kubelet: KubeletProcess,
): ControlResult {
  const names = settingNames(control);
  const resolved: Resolved = Object.fromEntries(
    names.map((name) => [name, effectiveSetting(kubelet, input.evidence, control.settings[name]!)]),
  );
  const primary = resolved[names[0]!]!;
  const evidence = facts(input, kubelet, primary);
  const drift = driftText({ kubelet, evidence: input.evidence, running: primary });
  if (drift) evidence.drift = drift;
  const collected = collectedReading({ control, evidence: input.evidence, kubelet });
  const judge = (settings: Resolved) =>
    judgeSettings({
      control,
      kubelet,
      settings,
      primary: names[0]!,
      files: input.evidence.files,
      ...(drift ? { drift } : {}),
      ...(collected ? { collected } : {}),
    });
  if (!Object.values(resolved).some((s) => s.byVersion !== undefined)) {
    return finish(control, judge(resolved), evidence);
  }
  const upTo131 = judge(readingFor(resolved, 'upTo131'));
  const from132 = judge(readingFor(resolved, 'from132'));
  if (upTo131.status === from132.status && upTo131.effectiveValue === from132.effectiveValue) {
    return finish(control, upTo131, {
      ...evidence,
      kubeletVersion: 'unknown (same verdict up to 1.31 and from 1.32)',
    });
  }
  const path = primary.spec.path;
  const reading = (label: string, judged: typeof upTo131) =>
    judged.effectiveValue === undefined
      ? `${label} ${judged.status}: ${judged.reason}`
      : `${label} ${path} is ${String(judged.effectiveValue)} (${judged.evidence.decidedBy ?? ''}): ${judged.status}`;
  return finish(
    control,
    {
      status: ComplianceStatus.WARNING,
      reason:
        `A kubelet is running (PID ${kubelet.pid}) but its version is unknown, and its drop-ins read differently by version: ` +
        `${reading('up to 1.31', upTo131)}; ${reading('from 1.32', from132)}.`,
      ...(drift ? { drift } : {}),
    },
    { ...evidence, kubeletVersion: 'unknown', problem: 'version-dependent' },
  );
}

function finish(
  control: SettingControl,
  judged: Omit<ControlResult, 'controlId' | 'evidence'> & {
    readonly evidence?: Readonly<Record<string, string>>;
  },
  evidence: Record<string, string>,
): ControlResult {
  return {
    ...judged,
    controlId: control.id,
    reason: clip(judged.reason, MAX_REASON),
    evidence: clipEvidence({ ...evidence, ...judged.evidence }),
  };
}

/** Every host kubelet's result folded into one for the node. */
function combine(
  control: SettingControl,
  input: NodeEvaluationInput,
  results: ControlResult[],
): ControlResult {
  if (results.length === 1) return results[0]!;
  const first = results[0]!;
  const agree = results.every((r) => r.status === first.status && r.effectiveValue === first.effectiveValue);
  if (agree) {
    return {
      ...first,
      reason: clip(`All ${results.length} host kubelets agree. ${first.reason}`, MAX_REASON),
      evidence: { ...first.evidence, kubelets: String(results.length) },
    };
  }
  const path = control.settings[settingNames(control)[0]!]!.path;
  const summary = results
    .map(
      (r, i) =>
        `PID ${input.evidence.kubelets[i]!.pid}: ${r.status}${r.effectiveValue === undefined ? '' : ` (${path}=${String(r.effectiveValue)})`}`,
    )
    .join('; ');
  return unassessed(
    control.id,
    ComplianceStatus.WARNING,
    `${results.length} host kubelet processes disagree, so the node cannot be judged as one: ${summary}. First: ${first.reason}`,
    { ...first.evidence, kubelets: String(results.length), perKubelet: summary },
  );
}

export function runControl(control: Control, input: NodeEvaluationInput): ControlResult {
  const { evidence, node } = input;
  const notApplicable = notApplicableCase(control, input);
  if (notApplicable !== undefined) {
    const facts =
      notApplicable.kind === 'windows' && node?.platform ? { platform: node.platform } : baseEvidence(input);
    return unassessed(control.id, ComplianceStatus.NOT_AVAILABLE, notApplicable.reason, facts);
  }
  if (!evidence.host.visible) {
    if (evidence.bottlerocket !== undefined) return bottlerocketResult(control, input);
    return unassessed(
      control.id,
      ComplianceStatus.NOT_AVAILABLE,
      `The collector cannot see the host's processes${evidence.host.note ? ` (${evidence.host.note})` : ''}, so the kubelet could not be assessed.`,
      { ...baseEvidence(input), hostVisible: 'false' },
    );
  }
  if (evidence.kubelets.length === 0) {
    const rejected = evidence.rejected.length;
    return unassessed(
      control.id,
      ComplianceStatus.NOT_AVAILABLE,
      `No host kubelet process is running${rejected > 0 ? ` (${rejected} other process${rejected === 1 ? '' : 'es'} named kubelet ignored: ${evidence.rejected.map((r) => `PID ${r.pid} ${r.why}`).join('; ')})` : ''}.`,
      { ...baseEvidence(input), kubelets: '0' },
    );
  }
  if (isFileControl(control)) return runFileControl(control, input);
  return combine(
    control,
    input,
    evidence.kubelets.map((k) => evaluateOne(control, input, k)),
  );
}
