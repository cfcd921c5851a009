/**
 * A control on a Bottlerocket node seen from its control container, where the SSM agent runs and the
 * host's processes and files are out of sight but Bottlerocket's API answers: its own CIS Kubernetes
 * Benchmark report (bloodhound, core-kit sources/bloodhound) and settings.kubernetes, from which it
 * renders the kubelet's configuration (bottlerocket-rendered.ts).
 *
 * The report's check numbered cisIds.kubernetes decides unless the control says otherwise
 * (Control.bottlerocket, bottlerocket-rule.ts). bloodhound reads only /etc/kubernetes/kubelet/config
 * (serde_yaml), which is all Bottlerocket configures the kubelet with (no flag for these settings, no
 * --config-dir), so its PASS and FAIL are the kubelet's own reading. A SKIP of a key the template does
 * not write (client CA in standalone mode) is answered from the rendered configuration; a SKIP of a key
 * it always writes means the file is not what Bottlerocket rendered, and nothing here can say what it
 * is: NOT_AVAILABLE with bloodhound's words. The report's overall status never decides a control.
 */
import type { BottlerocketEvidence } from '../collector/evidence-schema.ts';
import { showValue } from '../kubelet/setting-types.ts';
import { fileModeVerdict } from './bottlerocket-file-mode.ts';
import { renderedValue, standaloneText } from './bottlerocket-rendered.ts';
import { type CheckSaid, checkEvidence, checkText, findCheck, reportUnread } from './bottlerocket-report.ts';
import { BottlerocketReading, type BottlerocketRule } from './bottlerocket-rule.ts';
import { settingsVerdict } from './bottlerocket-settings-verdict.ts';
import { ComplianceStatus, type Control, type ControlResult, type NodeEvaluationInput } from './control.ts';
import { baseEvidence, clip, clipEvidence, MAX_REASON } from './control-result.ts';

export const BOTTLEROCKET_SOURCE = 'bottlerocket-api';
const API = 'Bottlerocket API';

interface Context {
  readonly control: Control;
  readonly br: BottlerocketEvidence;
  readonly rule: BottlerocketRule;
  readonly evidence: Record<string, string>;
}

function result(
  ctx: Context,
  judged: { readonly status: ComplianceStatus; readonly reason: string; readonly effectiveValue?: unknown },
): ControlResult {
  const note = ctx.rule.note === undefined ? '' : ` Note: ${ctx.rule.note}`;
  return {
    controlId: ctx.control.id,
    status: judged.status,
    reason: clip(`${judged.reason}${note}`, MAX_REASON),
    ...(judged.effectiveValue === undefined ? {} : { effectiveValue: judged.effectiveValue }),
    evidence: clipEvidence({
      ...ctx.evidence,
      ...(judged.effectiveValue === undefined ? {} : { effectiveValue: String(judged.effectiveValue) }),
    }),
  };
}

function renderInput(br: BottlerocketEvidence) {
  return br.settings === undefined ? undefined : { settings: br.settings, present: br.settingsPresent ?? [] };
}

/** The control judged on the configuration Bottlerocket renders from its settings. */
function fromSettings(ctx: Context, why: string): ControlResult {
  const input = renderInput(ctx.br);
  if (input === undefined) {
    const errors = ctx.br.errors.length > 0 ? ` (${ctx.br.errors.join('; ')})` : '';
    return result(ctx, {
      status: ComplianceStatus.NOT_AVAILABLE,
      reason: `${API}: ${why}, and settings.kubernetes could not be read${errors}, so the kubelet's configuration is unknown.`,
    });
  }
  const verdict = settingsVerdict(ctx.control, input);
  if (!verdict.ok) {
    return result(ctx, {
      status: ComplianceStatus.NOT_AVAILABLE,
      reason: `${API}: ${why}, and ${verdict.reason}.`,
    });
  }
  ctx.evidence.bottlerocketSettings = verdict.settingsText;
  return result(ctx, {
    status: verdict.status,
    reason: `${verdict.reason}. Decided by the ${API} (settings.kubernetes, rendered by Bottlerocket's kubelet config template): ${why}.`,
    ...(verdict.effectiveValue === undefined ? {} : { effectiveValue: verdict.effectiveValue }),
  });
}

/** The other settings the control declares, as Bottlerocket renders them (e.g. serverTLSBootstrap). */
function alongside(ctx: Context): string {
  const input = renderInput(ctx.br);
  const specs = Object.values(ctx.control.settings ?? {}).slice(1);
  if (input === undefined || specs.length === 0) return '';
  const texts = specs.map((spec) => {
    const r = renderedValue(spec.path, input);
    return r.rendered
      ? `${spec.path} is ${showValue(r.value!)} (${r.source})`
      : `${spec.path} is ${showValue(spec.default)}, the kubelet default (${r.source})`;
  });
  ctx.evidence.bottlerocketSettings = texts.join('; ');
  return ` Alongside: ${texts.join('; ')}.`;
}

function fromCheck(ctx: Context, check: CheckSaid): ControlResult {
  const said = checkText(check);
  if (check.status !== 'SKIP' && ctx.rule.reading === BottlerocketReading.fileMode) {
    return result(ctx, fileModeVerdict(ctx.rule, check));
  }
  if (check.status === 'PASS') {
    return result(ctx, { status: ComplianceStatus.PASSED, reason: `${API}: ${said}.${alongside(ctx)}` });
  }
  if (check.status === 'FAIL') {
    const fail = ctx.rule.fail;
    return result(
      ctx,
      fail === undefined
        ? { status: ComplianceStatus.FAILED, reason: `${API}: ${said}.${alongside(ctx)}` }
        : { status: fail.status, reason: `${API}: ${said}, which here means ${fail.why}.${alongside(ctx)}` },
    );
  }
  return fromSkip(ctx, check, said);
}

/**
 * A SKIP: answered from the settings only when the control says so and the template does not write the
 * key bloodhound reads (it then skips with "unable to parse kubelet config"; "unable to read" means it
 * could not open the file at all).
 */
function fromSkip(ctx: Context, check: CheckSaid, said: string): ControlResult {
  const input = renderInput(ctx.br);
  const primary = Object.values(ctx.control.settings ?? {})[0];
  const parsed = check.error === undefined || !/unable to (read|inspect)/.test(check.error);
  if (
    ctx.rule.skip === 'rendered' &&
    parsed &&
    input !== undefined &&
    primary !== undefined &&
    !renderedValue(primary.path, input).rendered
  ) {
    return fromSettings(
      ctx,
      `${said}, as it does for a key Bottlerocket does not write (${standaloneText(input.settings)})`,
    );
  }
  const written =
    primary === undefined || input === undefined || !renderedValue(primary.path, input).rendered
      ? ''
      : `, although Bottlerocket writes ${primary.path} there`;
  return result(ctx, {
    status: ComplianceStatus.NOT_AVAILABLE,
    reason: `${API}: ${said}${written}; the node's files are out of sight of the control container, so this control could not be assessed.`,
  });
}

/** The control's verdict from Bottlerocket's API (the collector ran in the control container). */
export function bottlerocketResult(control: Control, input: NodeEvaluationInput): ControlResult {
  const br = input.evidence.bottlerocket!;
  const rule = control.bottlerocket ?? {};
  const checkId = rule.check ?? control.cisIds.kubernetes;
  const evidence: Record<string, string> = {
    source: BOTTLEROCKET_SOURCE,
    ...baseEvidence(input),
    hostVisible: 'false',
    ...checkEvidence(br, checkId),
  };
  if (br.settings?.['standalone-mode'] !== undefined)
    evidence.standaloneMode = String(br.settings['standalone-mode']);
  const ctx: Context = { control, br, rule, evidence };
  const standalone = control.applicability.notApplicable.standalone;
  if (standalone !== undefined && br.settings?.['standalone-mode'] === true) {
    return result(ctx, {
      status: ComplianceStatus.NOT_AVAILABLE,
      reason: `Not applicable: ${standalone} (${API}: settings.kubernetes.standalone-mode is true, so Bottlerocket starts the kubelet without --kubeconfig.)`,
    });
  }
  const found = findCheck(br, checkId);
  if (rule.reading === BottlerocketReading.rendered) {
    const why = rule.why ?? `the report's check ${checkId} does not decide this control`;
    return fromSettings(ctx, found.check === undefined ? why : `${checkText(found.check)}; ${why}`);
  }
  if (!found.ok) {
    return result(ctx, {
      status: ComplianceStatus.NOT_AVAILABLE,
      reason: `${API}: ${reportUnread(br, checkId, found.why)}`,
    });
  }
  return fromCheck(ctx, found.check);
}
