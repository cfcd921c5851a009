import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, readConfig } from '../../functions/scanner/config.ts';
import { ConfigError } from '../../functions/scanner/errors.ts';
import { defaultNodeBudget } from '../../functions/scanner/node-budget.ts';

describe('readConfig', () => {
  it('requires the document name and applies defaults', () => {
    expect(() => readConfig({})).toThrow(ConfigError);
    const config = readConfig({ KUBELET_AUDIT_DOCUMENT_NAME: 'KubeletAudit-Collect' });
    expect(config).toEqual({
      documentName: 'KubeletAudit-Collect',
      documentVersion: '1',
      ...CONFIG_DEFAULTS,
      nodesInFlight: defaultNodeBudget(512),
    });
  });

  it('pins the document version: a number from the environment, never $DEFAULT or $LATEST', () => {
    const doc = { KUBELET_AUDIT_DOCUMENT_NAME: 'doc' };
    expect(readConfig({ ...doc, KUBELET_AUDIT_DOCUMENT_VERSION: '3' }).documentVersion).toBe('3');
    for (const bad of ['$DEFAULT', '$LATEST', '0', '1.0', 'latest']) {
      expect(() => readConfig({ ...doc, KUBELET_AUDIT_DOCUMENT_VERSION: bad })).toThrow(
        /KUBELET_AUDIT_DOCUMENT_VERSION/,
      );
    }
  });

  it('sizes the nodes in flight from the function memory unless set', () => {
    const doc = { KUBELET_AUDIT_DOCUMENT_NAME: 'doc' };
    expect(readConfig({ ...doc, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024' }).nodesInFlight).toBe(
      defaultNodeBudget(1024),
    );
    expect(defaultNodeBudget(1024)).toBeGreaterThan(defaultNodeBudget(512));
    expect(readConfig({ ...doc, KUBELET_AUDIT_NODES_IN_FLIGHT: '3000' }).nodesInFlight).toBe(3000);
    expect(readConfig({ ...doc, KUBELET_AUDIT_CLUSTERS_PER_INVOCATION: '1' }).clustersPerInvocation).toBe(1);
  });

  it('reads the internal bus, the state table and the minimum scan interval (minutes)', () => {
    const doc = { KUBELET_AUDIT_DOCUMENT_NAME: 'doc' };
    const config = readConfig({
      ...doc,
      KUBELET_AUDIT_INTERNAL_EVENT_BUS: 'internal-bus',
      KUBELET_AUDIT_STATE_TABLE: 'state',
      KUBELET_AUDIT_MIN_SCAN_INTERVAL_MINUTES: '3',
    });
    expect(config).toMatchObject({
      internalEventBus: 'internal-bus',
      stateTable: 'state',
      minScanIntervalMs: 180_000,
    });
    expect(readConfig(doc).minScanIntervalMs).toBe(600_000);
    expect(readConfig({ ...doc, KUBELET_AUDIT_MIN_SCAN_INTERVAL_MINUTES: '0' }).minScanIntervalMs).toBe(0);
    expect(() => readConfig({ ...doc, KUBELET_AUDIT_MIN_SCAN_INTERVAL_MINUTES: '-1' })).toThrow(ConfigError);
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
    ['KUBELET_AUDIT_CLUSTERS_PER_INVOCATION', '0'],
    ['KUBELET_AUDIT_NODES_IN_FLIGHT', 'many'],
  ])('names %s when it is invalid', (variable, value) => {
    const env = { KUBELET_AUDIT_DOCUMENT_NAME: 'doc', [variable]: value };
    expect(() => readConfig(env)).toThrow(new RegExp(variable));
  });
});
