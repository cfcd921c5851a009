/**
 * The SendCommand request for the collector document, built in one place so every call pins the
 * document version.
 *
 * Why a pinned version: SendCommand without DocumentVersion runs the document's DEFAULT version
 * (ssm API SendCommand: "$DEFAULT, $LATEST, or a specific version number"; Systems Manager user guide
 * run-command-version). Anyone with ssm:UpdateDocument can add a version and anyone with
 * ssm:UpdateDocumentDefaultVersion can make it the default; unpinned, the next scan would run that
 * content as root on every node. A version, once created, never changes (UpdateDocument always makes
 * a new one: ssm API UpdateDocument), so naming it pins the content.
 *
 * Why "1": the stack creates the document with a CloudFormation-generated name and
 * `updateMethod: Replace` (infra/constructs/collector-document.ts). A content change therefore
 * replaces the document with a new one (new name, first and only version "1") instead of adding a
 * version (CloudFormation AWS::SSM::Document UpdateMethod: Replace replaces the document, NewVersion
 * adds a version), and the function's environment receives the new name and "1" together.
 *
 * DocumentHash would pin content even across a delete and re-create under the same name, but the hash
 * is over the content as SSM stores it, which is known only after deployment (DescribeDocument); a
 * deploy-time lookup would need a custom resource. The version pin and the ssm:DeleteDocument /
 * ssm:CreateDocument permissions that re-creating needs are the boundary instead (SECURITY.md).
 */
import type { SendCommandCommandInput, Target } from '@aws-sdk/client-ssm';

/** The only version a document of this stack ever has (see above). */
export const DEPLOYED_DOCUMENT_VERSION = '1';

/** A concrete version number; `$DEFAULT` and `$LATEST` would follow whoever updated the document last. */
export const PINNED_VERSION = /^[1-9][0-9]*$/;

export interface CollectorCommandOptions {
  readonly documentName: string;
  /** Default DEPLOYED_DOCUMENT_VERSION. */
  readonly documentVersion?: string;
  readonly deliveryTimeoutSeconds: number;
  readonly comment?: string;
}

export type CommandTargets = { InstanceIds: string[] } | { Targets: Target[] };

export function collectorCommandInput(
  options: CollectorCommandOptions,
  to: CommandTargets,
): SendCommandCommandInput {
  const version = options.documentVersion ?? DEPLOYED_DOCUMENT_VERSION;
  if (!PINNED_VERSION.test(version)) {
    throw new RangeError(`document version must be a version number, got "${version}"`);
  }
  return {
    DocumentName: options.documentName,
    DocumentVersion: version,
    ...to,
    // The default MaxErrors 0 stops the rest after the first failing node (SSM User Guide, "Using
    // rate controls"); the default MaxConcurrency 50 would run a tag-targeted group 50 nodes at a time.
    MaxErrors: '100%',
    MaxConcurrency: 'Targets' in to ? '100%' : '50',
    TimeoutSeconds: options.deliveryTimeoutSeconds,
    CloudWatchOutputConfig: { CloudWatchOutputEnabled: false },
    ...(options.comment ? { Comment: options.comment.slice(0, 100) } : {}),
  };
}
