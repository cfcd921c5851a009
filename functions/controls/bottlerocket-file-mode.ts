/**
 * A permission check of Bottlerocket's report read against a control's own mode rule. bloodhound's
 * check_file_not_mode (core-kit sources/bloodhound/src/lib.rs) FAILs when `mode & 0o777` has a bit of
 * its mask and prints `file <path> has extra permissions: 0x<mode in octal>`. Its masks differ by
 * check and by Bottlerocket release: "644 or more restrictive" (u+x, g+wx, o+wx: exactly the CIS EKS
 * rule) and "600 or more restrictive" (u+x, all of group and other: 4.1.9 always, 4.1.5 in later
 * releases). So a PASS is ours under either mask; a FAIL under the stricter one is ours only when the
 * printed mode also breaks our rule (0640 and 0644 fail theirs and pass ours).
 */

import type { CheckSaid } from './bottlerocket-report.ts';
import { checkText } from './bottlerocket-report.ts';
import type { BottlerocketRule } from './bottlerocket-rule.ts';
import { ComplianceStatus } from './control.ts';

const DEFAULT_ALLOWED = 0o644;

/** The mode bloodhound printed in a FAIL, if it did. */
export function reportedMode(error: string | undefined): number | undefined {
  const match = error === undefined ? null : /extra permissions: 0x([0-7]{1,4})\b/.exec(error);
  return match === null ? undefined : Number.parseInt(match[1]!, 8) & 0o777;
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

/** The mask bloodhound applied, from the check's title ("set to 600 or more restrictive"). */
function allowedByCheck(title: string): number | undefined {
  const match = /\b(6[04]{2})\b or more restrictive/.exec(title);
  return match === null ? undefined : Number.parseInt(match[1]!, 8);
}

export function fileModeVerdict(
  rule: BottlerocketRule,
  check: CheckSaid,
): { readonly status: ComplianceStatus; readonly reason: string; readonly effectiveValue?: string } {
  const allowed = rule.allowedMode ?? DEFAULT_ALLOWED;
  const said = `Bottlerocket API: ${checkText(check)}`;
  if (check.status === 'PASS') {
    return {
      status: ComplianceStatus.PASSED,
      reason: `${said}, so no permission bit outside ${octal(allowed)} is set (bloodhound does not look at setuid, setgid or sticky bits).`,
    };
  }
  const mode = reportedMode(check.error);
  if (mode !== undefined) {
    const outside = mode & ~allowed;
    return outside === 0
      ? {
          status: ComplianceStatus.PASSED,
          reason: `${said}: its rule is stricter than this control's; mode ${octal(mode)} has no bit outside ${octal(allowed)}.`,
          effectiveValue: octal(mode),
        }
      : {
          status: ComplianceStatus.FAILED,
          reason: `${said}: mode ${octal(mode)} has ${octal(outside)} outside ${octal(allowed)}.`,
          effectiveValue: octal(mode),
        };
  }
  const theirs = allowedByCheck(check.title);
  // Every mode their rule refuses breaks ours too when ours allows nothing theirs does not.
  if (theirs !== undefined && (allowed & ~theirs) === 0) {
    return {
      status: ComplianceStatus.FAILED,
      reason: `${said}: a bit outside ${octal(theirs)} is outside this control's ${octal(allowed)} too.`,
    };
  }
  return {
    status: ComplianceStatus.WARNING,
    reason: `${said} without saying the file's mode. Its rule is stricter than this control's ${octal(allowed)}, so a mode such as 0640 fails it and passes this control: check the mode from the admin container (stat -c %a /.bottlerocket/rootfs/...).`,
  };
}
