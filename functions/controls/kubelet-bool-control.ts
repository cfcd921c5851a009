/**
 * Verdict for a control of the form "kubelet boolean setting X must be <expected>", shared by every
 * such control so that the applicability rules, the WARNING rules and the wording stay one thing.
 *
 * NOT_AVAILABLE: Windows (no iptables; k8s pkg/kubelet/kubelet_network_others.go), host not visible,
 * no host kubelet. WARNING: a kubelet runs but the evidence is incomplete or inconsistent (see
 * SettingProblem.blocking), or several host kubelets disagree. PASSED/FAILED: the effective value.
 */
import type { EvidenceDocument, KubeletProcess } from '../collector/evidence-schema.ts';
import { renderPsLine } from '../collector/ps-line.ts';
import {
  type BoolSettingSpec,
  type EffectiveSetting,
  effectiveBoolSetting,
} from '../kubelet/effective-config.ts';
import { argvFromUnitFiles } from '../kubelet/systemd-unit.ts';
import { ComplianceStatus, type ControlResult, type NodeEvaluationInput } from './control.ts';
import { detectNodeType } from './node-type.ts';

export interface BoolControlParams {
  readonly controlId: string;
  readonly setting: BoolSettingSpec;
  readonly expected: boolean;
  /** "The kubelet manages iptables utility chains" — said of a passing node. */
  readonly passPhrase: string;
  /** "The kubelet does not manage iptables utility chains". */
  readonly failPhrase: string;
}

const MAX_REASON = 1000;
const MAX_EVIDENCE_VALUE = 512;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

function clipEvidence(evidence: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(evidence).map(([k, v]) => [k, clip(v, MAX_EVIDENCE_VALUE)]));
}

function baseEvidence(input: NodeEvaluationInput): Record<string, string> {
  const nodeType = detectNodeType(input.evidence);
  const evidence: Record<string, string> = { nodeType: nodeType.type, os: nodeType.label };
  if (input.evidence.host.hostname) evidence.hostname = input.evidence.host.hostname;
  return evidence;
}

/** A result for a node that could not be judged at all. */
export function unassessed(
  controlId: string,
  status: typeof ComplianceStatus.NOT_AVAILABLE | typeof ComplianceStatus.WARNING,
  reason: string,
  evidence: Record<string, string> = {},
): ControlResult {
  return { controlId, status, reason: clip(reason, MAX_REASON), evidence: clipEvidence(evidence) };
}

function driftText(
  kubelet: KubeletProcess,
  evidence: EvidenceDocument,
  running: EffectiveSetting,
  params: BoolControlParams,
): string | undefined {
  if (!running.determined) return undefined;
  const unit = argvFromUnitFiles(evidence);
  if (unit === undefined || !unit.ok) return undefined;
  // systemd starts services in "/" unless WorkingDirectory= says otherwise.
  const next = effectiveBoolSetting(kubelet, evidence, params.setting, {
    argv: unit.argv,
    cwd: '/',
    ignoreArgvCut: true,
  });
  const where = `the unit files on disk (${unit.sources.join(', ')})`;
  const rejected = next.problems.find((p) => p.code === 'argv-rejected');
  if (rejected) {
    return `${where} would give the kubelet a command line it refuses (${rejected.message.replace(/^the kubelet would refuse this command line: /, '')}): it will not start again as configured`;
  }
  if (next.determined && next.value !== running.value) {
    return `${where} would start the kubelet with ${params.setting.configKey}=${next.value} (${next.decidedByText}), but the running process has ${running.value}: it has not been restarted since they changed`;
  }
  return undefined;
}

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

function evaluateOne(
  input: NodeEvaluationInput,
  kubelet: KubeletProcess,
  params: BoolControlParams,
): ControlResult {
  const { evidence } = input;
  const setting = effectiveBoolSetting(kubelet, evidence, params.setting);
  const facts: Record<string, string> = {
    ...baseEvidence(input),
    kubeletPid: String(kubelet.pid),
    kubeletCommand: renderPsLine(kubelet, evidence.host),
  };
  if (setting.configPath) facts.configFile = setting.configPath;
  if (setting.configDir) facts.configDir = setting.configDir;
  const flagArgs = setting.parsed.occurrences
    .filter((o) => o.name === params.setting.flag)
    .map((o) => `argument ${o.index}: ${o.arg}`);
  if (flagArgs.length > 0) facts.flagArguments = flagArgs.join('; ');
  for (const source of setting.chain) {
    if (source.provenance.kind === 'config-file') facts.configValue = String(source.value);
  }
  const drift = driftText(kubelet, evidence, setting, params);
  if (drift) facts.drift = drift;

  const blocking = setting.problems.find((p) => p.blocking);
  const others = setting.problems.filter((p) => !p.blocking).map((p) => p.message);
  const withDrift = (text: string): string => (drift ? `${text} Drift: ${drift}.` : text);
  if (blocking) {
    facts.problem = blocking.code;
    const known = setting.determined
      ? ` Read as the kubelet would, the value is ${setting.value} (${setting.decidedByText}).`
      : '';
    return {
      controlId: params.controlId,
      status: ComplianceStatus.WARNING,
      reason: clip(
        withDrift(
          `A kubelet is running (PID ${kubelet.pid}) but its ${params.setting.configKey} cannot be judged: ${blocking.message}.${known}`,
        ),
        MAX_REASON,
      ),
      ...(setting.determined ? { effectiveValue: setting.value, decidedBy: setting.decidedBy } : {}),
      ...(drift ? { drift } : {}),
      evidence: clipEvidence(facts),
    };
  }
  const value = setting.value!;
  facts.effectiveValue = String(value);
  facts.decidedBy = setting.decidedByText ?? '';
  const passed = value === params.expected;
  const lead = passed ? params.passPhrase : params.failPhrase;
  const remarks = [...setting.notes, ...others];
  const aside = remarks.length > 0 ? ` Note: ${remarks.join('; ')}.` : '';
  return {
    controlId: params.controlId,
    status: passed ? ComplianceStatus.PASSED : ComplianceStatus.FAILED,
    reason: clip(withDrift(`${lead}: ${setting.decidedByText}${overrideText(setting)}.${aside}`), MAX_REASON),
    effectiveValue: value,
    ...(setting.decidedBy ? { decidedBy: setting.decidedBy } : {}),
    ...(drift ? { drift } : {}),
    evidence: clipEvidence(facts),
  };
}

export function evaluateBoolControl(input: NodeEvaluationInput, params: BoolControlParams): ControlResult {
  const { evidence, node } = input;
  if (node?.platform !== undefined && /windows/i.test(node.platform)) {
    return unassessed(
      params.controlId,
      ComplianceStatus.NOT_AVAILABLE,
      'Not applicable: Windows nodes have no iptables, and the kubelet ignores this setting there.',
      { platform: node.platform },
    );
  }
  if (!evidence.host.visible) {
    return unassessed(
      params.controlId,
      ComplianceStatus.NOT_AVAILABLE,
      `The collector cannot see the host's processes${evidence.host.note ? ` (${evidence.host.note})` : ''}, so the kubelet could not be assessed.`,
      { ...baseEvidence(input), hostVisible: 'false' },
    );
  }
  if (evidence.kubelets.length === 0) {
    const rejected = evidence.rejected.length;
    return unassessed(
      params.controlId,
      ComplianceStatus.NOT_AVAILABLE,
      `No host kubelet process is running${rejected > 0 ? ` (${rejected} other process${rejected === 1 ? '' : 'es'} named kubelet ignored: ${evidence.rejected.map((r) => `PID ${r.pid} ${r.why}`).join('; ')})` : ''}.`,
      { ...baseEvidence(input), kubelets: '0' },
    );
  }
  const results = evidence.kubelets.map((k) => evaluateOne(input, k, params));
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
  const summary = results
    .map(
      (r, i) =>
        `PID ${evidence.kubelets[i]!.pid}: ${r.status}${r.effectiveValue === undefined ? '' : ` (${params.setting.configKey}=${String(r.effectiveValue)})`}`,
    )
    .join('; ');
  return unassessed(
    params.controlId,
    ComplianceStatus.WARNING,
    `${results.length} host kubelet processes disagree, so the node cannot be judged as one: ${summary}. First: ${first.reason}`,
    { ...first.evidence, kubelets: String(results.length), perKubelet: summary },
  );
}
