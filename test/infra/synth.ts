/**
 * Synthesizes EksKubeletAuditStack for assertion tests: bundling skipped (no esbuild run), template
 * validation off (vitest env CDK_VALIDATION=false). Uses the repository's collect.sh and handler.ts,
 * and fails when either is missing: a moved file must fail the stack tests, never let them pass on a
 * stand-in.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EksKubeletAuditStack, type EksKubeletAuditStackProps } from '../../infra/scanner-stack.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const COLLECTOR_SCRIPT = join(REPO_ROOT, 'functions/collector/collect.sh');
export const HANDLER_ENTRY = join(REPO_ROOT, 'functions/scanner/handler.ts');

function required(path: string): string {
  if (!existsSync(path))
    throw new Error(`${path} is missing: the stack is synthesized from the repository's own files`);
  return path;
}

export function sourcePaths(): { collectorScriptPath: string; handlerEntry: string } {
  return { collectorScriptPath: required(COLLECTOR_SCRIPT), handlerEntry: required(HANDLER_ENTRY) };
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
