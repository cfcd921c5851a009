import { describe, expect, it } from 'vitest';
import type { FileEvidence } from '../../functions/collector/evidence-schema.ts';
import { SettingProblemCode } from '../../functions/kubelet/effective-config.ts';
import { AL2_CONFIG, effective, K } from './effective-fixtures.ts';
import { bytesFile, KC, kcJson, missingFile, textFile } from './evidence-builder.ts';

describe('config file problems', () => {
  it.each([
    ['missing from the evidence', [] as FileEvidence[], SettingProblemCode.configMissing],
    ['not found on the node', [missingFile(AL2_CONFIG)], SettingProblemCode.configMissing],
    [
      'unreadable',
      [missingFile(AL2_CONFIG, ['config'], 'permission denied')],
      SettingProblemCode.configUnreadable,
    ],
    [
      'cut by the collector',
      [textFile(AL2_CONFIG, '{"kind":', ['config'], { cut: true })],
      SettingProblemCode.configCut,
    ],
    [
      'unparseable',
      [textFile(AL2_CONFIG, '{"kind": "KubeletConfiguration",')],
      SettingProblemCode.configUnloadable,
    ],
    [
      'without kind',
      [textFile(AL2_CONFIG, '{"makeIPTablesUtilChains": true}')],
      SettingProblemCode.configUnloadable,
    ],
    ['empty', [textFile(AL2_CONFIG, '')], SettingProblemCode.configUnloadable],
    [
      'of the wrong type ("false")',
      [textFile(AL2_CONFIG, kcJson({ makeIPTablesUtilChains: 'false' }))],
      SettingProblemCode.wrongType,
    ],
    [
      'of the wrong type (YAML quoted "no")',
      [textFile(AL2_CONFIG, `${KC}makeIPTablesUtilChains: "no"\n`)],
      SettingProblemCode.wrongType,
    ],
    [
      'of the wrong type (0)',
      [textFile(AL2_CONFIG, kcJson({ makeIPTablesUtilChains: 0 }))],
      SettingProblemCode.wrongType,
    ],
    [
      'invalid UTF-8 YAML',
      [bytesFile(AL2_CONFIG, new Uint8Array([0x6b, 0x3a, 0x20, 0xff, 0x0a]))],
      SettingProblemCode.configUnloadable,
    ],
  ])('a config file %s leaves the value undetermined without a flag', (_name, files, code) => {
    const r = effective({ argv: [K, '--config', AL2_CONFIG], files });
    expect(r.determined).toBe(false);
    expect(r.value).toBeUndefined();
    expect(r.problems[0]).toMatchObject({ code, blocking: true });
  });

  it('a deciding flag makes a config file problem non-blocking', () => {
    const r = effective({
      argv: [K, '--config', AL2_CONFIG, '--make-iptables-util-chains=false'],
      files: [missingFile(AL2_CONFIG)],
    });
    expect(r).toMatchObject({ determined: true, value: false });
    expect(r.problems).toEqual([
      expect.objectContaining({ code: SettingProblemCode.configMissing, blocking: false }),
    ]);
  });

  it('notes a duplicate key in the config file (last wins)', () => {
    const r = effective({
      argv: [K, '--config', '/c'],
      files: [textFile('/c', `${KC}makeIPTablesUtilChains: true\nmakeIPTablesUtilChains: false\n`)],
    });
    expect(r.value).toBe(false);
    expect(r.notes.join(' ')).toContain('more than once');
  });
});
