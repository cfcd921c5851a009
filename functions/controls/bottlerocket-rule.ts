/**
 * How a control reads Bottlerocket's own CIS Kubernetes report (`apiclient report cis-k8s`, run by
 * bloodhound) when the collector can only reach Bottlerocket's API (bottlerocket-verdict.ts). By
 * default a control is judged by the report's check numbered `cisIds.kubernetes`, read as our own
 * verdict (PASS → PASSED, FAIL → FAILED); a control whose check tests something else declares how.
 */
/** How a check's PASS / FAIL reads for a control. */
export const BottlerocketReading = {
  /** The check tests what the control tests: PASS → PASSED, FAIL → FAILED. */
  same: 'same',
  /**
   * A permission check (bloodhound check_file_not_mode): its mask may be stricter than the control's
   * `allowedMode`, so a PASS is ours, and a FAIL is judged again on the mode bloodhound prints.
   */
  fileMode: 'file-mode',
  /**
   * The check cannot decide this control (Manual, or it reads an absent key differently): the control
   * is judged on the kubelet configuration Bottlerocket renders from settings.kubernetes.
   */
  rendered: 'rendered',
} as const;
export type BottlerocketReading = (typeof BottlerocketReading)[keyof typeof BottlerocketReading];

/** A control's reading of Bottlerocket's report, when it is not the default. */
export interface BottlerocketRule {
  /** The report's check id when it is not `cisIds.kubernetes`. */
  readonly check?: string;
  readonly reading?: BottlerocketReading;
  /** For `file-mode`: the permission bits the control allows (e.g. 0o644). */
  readonly allowedMode?: number;
  /**
   * 'rendered': a SKIP is answered from the configuration Bottlerocket renders, when the template does
   * not write the control's first setting in this node's mode (bloodhound skips an absent key: the
   * client CA in standalone mode). Otherwise a SKIP is NOT_AVAILABLE.
   */
  readonly skip?: 'rendered';
  /** What the check's FAIL means when it is not FAILED (e.g. a value the kubelet would refuse). */
  readonly fail?: {
    // A Security Hub compliance status (control.ts ComplianceStatus), spelt out: control.ts imports this file.
    readonly status: 'WARNING';
    readonly why: string;
  };
  /** Why the check is not read as ours (said in the reason of a `rendered` control). */
  readonly why?: string;
  /** Said with every Bottlerocket verdict of the control (what the report cannot show). */
  readonly note?: string;
}
