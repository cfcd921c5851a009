/**
 * What the collected part of a cut command line says. The collector keeps at most a fixed number of
 * arguments (collect.sh MAX_ARGS); a flag after the cut would override the files and every earlier
 * flag (pflag: the last occurrence wins), so the kubelet's values are not known. This reads every
 * setting a control declares as if the kept arguments were the whole command line and judges them,
 * for judge.ts to report as what is known, never as the verdict.
 */
import type { EvidenceDocument, KubeletProcess } from '../collector/evidence-schema.ts';
import { type EffectiveSetting, effectiveSetting } from '../kubelet/effective-config.ts';
import { ComplianceStatus, type SettingControl } from './control.ts';
import { type Judged, judgeSettings } from './judge.ts';

type Resolved = Readonly<Record<string, EffectiveSetting>>;

function reading(resolved: Resolved, merge: 'upTo131' | 'from132'): Resolved {
  return Object.fromEntries(
    Object.entries(resolved).map(([name, s]) => [name, s.byVersion === undefined ? s : s.byVersion[merge]]),
  );
}

/** The control judged on what was collected of a cut argv; undefined when the argv is complete. */
export function collectedReading(input: {
  readonly control: SettingControl;
  readonly evidence: EvidenceDocument;
  readonly kubelet: KubeletProcess;
}): Judged | undefined {
  const { control, evidence, kubelet } = input;
  if (kubelet.argvCut !== true) return undefined;
  const names = Object.keys(control.settings);
  const resolved: Resolved = Object.fromEntries(
    names.map((name) => [
      name,
      effectiveSetting(kubelet, evidence, control.settings[name]!, { ignoreArgvCut: true }),
    ]),
  );
  const judge = (settings: Resolved) => judgeSettings({ control, kubelet, settings, primary: names[0]! });
  if (!Object.values(resolved).some((s) => s.byVersion !== undefined)) return judge(resolved);
  const upTo131 = judge(reading(resolved, 'upTo131'));
  const from132 = judge(reading(resolved, 'from132'));
  if (upTo131.status === from132.status && upTo131.effectiveValue === from132.effectiveValue) return upTo131;
  return {
    status: ComplianceStatus.WARNING,
    reason: `it reads ${upTo131.status} up to 1.31 and ${from132.status} from 1.32, and the kubelet's version is unknown.`,
    evidence: {},
  };
}
