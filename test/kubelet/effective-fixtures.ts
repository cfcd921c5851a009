/**
 * The setting the effective-config tests ask for, and one kubelet's evidence evaluated for it: the
 * layers are tested through effectiveSetting, which applies them in the kubelet's order.
 */
import { effectiveSetting, type SettingSpec } from '../../functions/kubelet/effective-config.ts';
import { KubeletSettings } from '../../functions/kubelet/kubelet-settings.ts';
import { buildEvidence, type EvidenceSpec } from './evidence-builder.ts';

export const SPEC: SettingSpec = KubeletSettings.makeIPTablesUtilChains;
export const K = '/usr/bin/kubelet';
export const AL2_CONFIG = '/etc/kubernetes/kubelet/kubelet-config.json';
export const DIR = '/etc/kubernetes/kubelet/config.json.d';
export const AL2023_CONFIG = '/etc/kubernetes/kubelet/config.json';

export function effective(spec: EvidenceSpec) {
  // Prepare
  const evidence = buildEvidence(spec);
  // Act
  return effectiveSetting(evidence.kubelets[0]!, evidence, SPEC);
}
