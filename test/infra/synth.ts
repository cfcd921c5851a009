/**
 * Synthesizes EksKubeletAuditStack for assertion tests: bundling skipped (no esbuild run), template
 * validation off (vitest env CDK_VALIDATION=false). Uses the repository's collect.sh and handler.ts;
 * while a sibling module is not written yet, a stand-in under .tmp/ keeps the other assertions running
 * (the document test itself insists on the real collect.sh).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EksKubeletAuditStack, type EksKubeletAuditStackProps } from '../../infra/scanner-stack.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const COLLECTOR_SCRIPT = join(REPO_ROOT, 'functions/collector/collect.sh');
export const HANDLER_ENTRY = join(REPO_ROOT, 'functions/scanner/handler.ts');

function standIn(name: string, content: string): string {
  const dir = join(REPO_ROOT, '.tmp', 'infra-test');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

export function sourcePaths(): { collectorScriptPath: string; handlerEntry: string } {
  return {
    collectorScriptPath: existsSync(COLLECTOR_SCRIPT)
      ? COLLECTOR_SCRIPT
      : standIn('collect.sh', '#!/usr/bin/env bash\nset -euo pipefail\necho "{}"\n'),
    handlerEntry: existsSync(HANDLER_ENTRY)
      ? HANDLER_ENTRY
      : standIn('handler.ts', 'export const handler = async () => undefined;\n'),
  };
}

export interface Synthesized {
  readonly app: App;
  readonly stack: EksKubeletAuditStack;
  readonly template: Template;
}

export function synth(
  props: EksKubeletAuditStackProps = {},
  context: Record<string, unknown> = {},
): Synthesized {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new EksKubeletAuditStack(app, 'EksKubeletAuditStack', {
    ...props,
    scanner: { ...sourcePaths(), ...props.scanner },
  });
  return { app, stack, template: Template.fromStack(stack) };
}

/** Runs cdk-nag AwsSolutions over the app; returns the unacknowledged findings. */
export function nagFindings(app: App): { rule: string; severity: string; paths: string[] }[] {
  const report = new AwsSolutionsChecks().validateScope(app);
  return report.violations.map((v) => ({
    rule: v.ruleName,
    severity: v.severity ?? 'error',
    paths: v.violatingResources.map((r) => r.constructPath ?? '?'),
  }));
}

/** Every acknowledgment recorded in the tree, as `rule id → construct path`. */
export function acknowledgments(app: App): { id: string; path: string; reason: string }[] {
  const out: { id: string; path: string; reason: string }[] = [];
  for (const c of app.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.push({ id: id.replace(/^annotation::/i, ''), path: c.node.path, reason });
      }
    }
  }
  return out;
}

/** Removes every acknowledgment so a following nag run shows the raw findings. */
export function dropAcknowledgments(app: App): void {
  for (const c of app.node.findAll()) {
    // constructs keeps metadata in a private array; tests only.
    const metadata = (c.node as unknown as { _metadata?: { type: string }[] })._metadata ?? [];
    for (let i = metadata.length - 1; i >= 0; i--) {
      if (metadata[i]?.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) metadata.splice(i, 1);
    }
  }
}
