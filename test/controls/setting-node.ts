/**
 * The setting controls' tests describe a node as data (node-fixture.ts); `config` writes the --config
 * file with extra keys over the AMI's.
 */
import { kcJson, textFile } from '../kubelet/evidence-builder.ts';
import { CONFIG } from './node-fixture.ts';

export { CONFIG, DIR, K, KUBECONFIG, type Node as SettingNode, runOn, V131, V132 } from './node-fixture.ts';

export const config = (extra: Record<string, unknown>) => textFile(CONFIG, kcJson(extra));
