/**
 * IAM for ssm:SendCommand, as far as the scanner's role meets it: the document statement has no
 * condition, and the instance statements allow a node only if it carries one of the tags of
 * functions/aws/send-command-policy.ts (the stack's statements are built from the same definition).
 *
 * - By InstanceIds: IAM authorises the request once per resource, the document and every instance ARN
 *   (Service Authorization Reference for Systems Manager: SendCommand resource types document*,
 *   instance; condition key ssm:resourceTag/${TagKey};
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html). One
 *   instance that no statement allows denies the whole request: AccessDeniedException, nothing is sent (IAM's
 *   evaluation logic: a request is allowed only if every resource it names is).
 * - By Targets: the call names no instance, so it is authorised on the document alone; SSM checks each
 *   resolved instance when it sends, and an instance the caller may not reach ends with StatusDetails
 *   "AccessDenied" (GetCommandInvocation StatusDetails doc: "Access Denied … doesn't count against
 *   MaxErrors").
 *
 * Not verified: IAM tag conditions on an instance id that EC2 does not know. The emulator answers
 * InvalidInstanceId for those (the scanner never sends one: its ids come from DescribeInstances).
 */
import {
  allowingCondition,
  type SendCommandTagCondition,
} from '../../../functions/aws/send-command-policy.ts';
import type { Fleet, SimNode } from '../fleet.ts';
import { AwsError } from './protocols.ts';

/** The role the emulator says the caller assumed (only the error message shows it). */
const CALLER_ARN = 'assumed-role/eks-kubelet-audit-scanner/scanner';

export function mayReach(conditions: readonly SendCommandTagCondition[], node: SimNode): boolean {
  return allowingCondition(conditions, node.tags) !== undefined;
}

/** AccessDeniedException for the first instance of an InstanceIds request no statement allows. */
export function authoriseInstanceIds(
  fleet: Fleet,
  conditions: readonly SendCommandTagCondition[],
  instanceIds: readonly string[],
): void {
  for (const id of instanceIds) {
    const node = fleet.get(id);
    if (!node || mayReach(conditions, node)) continue;
    // IAM's wording, which names one resource of the request (as reported in
    // peterkimzz/aws-ssm-send-command#13 and msaad00/agent-bom#3952: "... is not authorized to perform:
    // ssm:SendCommand on resource: arn:aws:ec2:<region>:<account>:instance/i-...").
    throw new AwsError(
      'AccessDeniedException',
      `User: arn:aws:sts::${fleet.accountId}:${CALLER_ARN} is not authorized to perform: ssm:SendCommand on resource: arn:aws:ec2:${fleet.region}:${fleet.accountId}:instance/${id} because no identity-based policy allows the ssm:SendCommand action`,
      400,
    );
  }
}
