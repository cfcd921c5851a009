/**
 * The direction of dependencies under functions/: the evaluation core (collector evidence, kubelet
 * semantics, controls, findings, the fleet types) knows nothing of AWS or of the scanner that drives
 * it, and the AWS adapters know nothing of the scanner. Import cycles are `npm run cycles` (dpdm).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../', import.meta.url);

/** Layer → the layers it must never import (layer = first directory under functions/, or the file). */
const FORBIDDEN: Readonly<Record<string, readonly string[]>> = {
  'fleet.ts': ['aws', 'scanner', 'findings', 'controls', 'kubelet', 'collector', 'cli'],
  collector: ['aws', 'scanner'],
  kubelet: ['controls', 'findings', 'aws', 'scanner'],
  controls: ['findings', 'aws', 'scanner'],
  findings: ['aws', 'scanner'],
  aws: ['scanner'],
};

interface ImportEdge {
  readonly from: string;
  readonly to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(new URL(dir, ROOT), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => posix.join(dir, f.split('\\').join('/')));
}

/** Every relative import of a file (static, dynamic, type-only and re-exports), as repository paths. */
function importsOf(file: string, text: string): ImportEdge[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((i) => i.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => ({ from: file, to: posix.join(posix.dirname(file), name) }));
}

function layerOf(path: string): string | undefined {
  const parts = path.split('/');
  return parts[0] === 'functions' ? parts[1] : undefined;
}

function violations(edges: readonly ImportEdge[]): string[] {
  return edges.flatMap(({ from, to }) => {
    const fromLayer = layerOf(from);
    const toLayer = layerOf(to);
    if (fromLayer === undefined || toLayer === undefined) return [];
    return FORBIDDEN[fromLayer]?.includes(toLayer) ? [`${from} imports ${to}`] : [];
  });
}

const edges = sourceFiles('functions').flatMap((file) =>
  importsOf(file, readFileSync(new URL(file, ROOT), 'utf8')),
);

describe('layering', () => {
  it('reads the imports it checks (type-only and re-exports included)', () => {
    expect(edges).toContainEqual({ from: 'functions/findings/asff.ts', to: 'functions/fleet.ts' });
    expect(edges).toContainEqual({
      from: 'functions/controls/control.ts',
      to: 'functions/kubelet/provenance.ts',
    });
    expect(edges).toContainEqual({ from: 'functions/aws/discovery.ts', to: 'functions/aws/reachability.ts' });
  });

  it('flags an import against the direction', () => {
    expect(
      violations([
        { from: 'functions/findings/asff.ts', to: 'functions/aws/discovery.ts' },
        { from: 'functions/kubelet/setting.ts', to: 'functions/controls/control.ts' },
        { from: 'functions/aws/clients.ts', to: 'functions/scanner/errors.ts' },
        { from: 'functions/fleet.ts', to: 'functions/aws/node-tags.ts' },
        { from: 'functions/scanner/scanner.ts', to: 'functions/aws/discovery.ts' },
        { from: 'functions/aws/security-hub.ts', to: 'functions/findings/asff.ts' },
      ]),
    ).toEqual([
      'functions/findings/asff.ts imports functions/aws/discovery.ts',
      'functions/kubelet/setting.ts imports functions/controls/control.ts',
      'functions/aws/clients.ts imports functions/scanner/errors.ts',
      'functions/fleet.ts imports functions/aws/node-tags.ts',
    ]);
  });

  it('no layer under functions/ imports a layer above it', () => {
    expect(violations(edges)).toEqual([]);
  });
});
