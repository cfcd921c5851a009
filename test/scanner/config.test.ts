import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, readConfig } from '../../functions/scanner/config.ts';
import { ConfigError } from '../../functions/scanner/errors.ts';

describe('readConfig', () => {
  it('requires the document name and applies defaults', () => {
    expect(() => readConfig({})).toThrow(ConfigError);
    const config = readConfig({ KUBELET_AUDIT_DOCUMENT_NAME: 'KubeletAudit-Collect' });
    expect(config).toEqual({ documentName: 'KubeletAudit-Collect', ...CONFIG_DEFAULTS });
  });

  it('parses the allow-list and numeric settings', () => {
    const config = readConfig({
      KUBELET_AUDIT_DOCUMENT_NAME: 'doc',
      KUBELET_AUDIT_EVENT_BUS: 'audit',
      KUBELET_AUDIT_CLUSTERS: ' prod , dev,,prod ',
      KUBELET_AUDIT_POLL_INTERVAL_MS: '250',
    });
    expect(config.eventBus).toBe('audit');
    expect(config.clusterAllowList).toEqual(['prod', 'dev']);
    expect(config.pollIntervalMs).toBe(250);
  });

  it.each([
    ['KUBELET_AUDIT_DOCUMENT_NAME', 'a b'],
    ['KUBELET_AUDIT_CLUSTERS', 'ok,-bad'],
    ['KUBELET_AUDIT_DELIVERY_TIMEOUT_SECONDS', '10'],
    ['KUBELET_AUDIT_POLL_INTERVAL_MS', 'soon'],
  ])('names %s when it is invalid', (variable, value) => {
    const env = { KUBELET_AUDIT_DOCUMENT_NAME: 'doc', [variable]: value };
    expect(() => readConfig(env)).toThrow(new RegExp(variable));
  });
});
