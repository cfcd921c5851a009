/**
 * Drift: what the unit files on disk would start the kubelet with, against what the running process
 * has (a kubelet not restarted since its unit or environment files changed).
 */
import type { EvidenceDocument, KubeletProcess } from '../collector/evidence-schema.ts';
import { type EffectiveSetting, effectiveSetting } from '../kubelet/effective-config.ts';
import { showValue } from '../kubelet/setting-types.ts';
import { argvFromUnitFiles } from '../kubelet/systemd-unit.ts';

export function driftText(input: {
  readonly kubelet: KubeletProcess;
  readonly evidence: EvidenceDocument;
  readonly running: EffectiveSetting;
}): string | undefined {
  const { kubelet, evidence, running } = input;
  if (!running.determined) return undefined;
  const unit = argvFromUnitFiles(evidence);
  if (unit === undefined || !unit.ok) return undefined;
  // systemd starts services in "/" unless WorkingDirectory= says otherwise.
  const next = effectiveSetting(kubelet, evidence, running.spec, {
    argv: unit.argv,
    cwd: '/',
    ignoreArgvCut: true,
  });
  const where = `the unit files on disk (${unit.sources.join(', ')})`;
  const rejected = next.problems.find((p) => p.code === 'argv-rejected');
  if (rejected) {
    return `${where} would give the kubelet a command line it refuses (${rejected.message.replace(/^the kubelet would refuse this command line: /, '')}): it will not start again as configured`;
  }
  // A cut argv may hide a later flag (collect.sh keeps a bounded number of arguments): what the
  // process runs with is not known, so no difference from the unit files can be claimed.
  if (kubelet.argvCut === true) return undefined;
  if (next.determined && next.value !== running.value) {
    return `${where} would start the kubelet with ${running.spec.path}=${showValue(next.value!)} (${next.decidedByText}), but the running process has ${showValue(running.value!)}: it has not been restarted since they changed`;
  }
  return undefined;
}
