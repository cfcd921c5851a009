/**
 * SSM document versions (ssm API UpdateDocument, UpdateDocumentDefaultVersion; SendCommand
 * DocumentVersion). The deployed content is version 1 and runs the real collector. A version added
 * later ("someone else" with ssm:UpdateDocument) is kept as text: the emulator never executes it,
 * it answers with the commands that version would have run as root, so a test sees exactly which
 * content a command ran.
 */
import { AwsError } from './protocols.ts';
import type { ServiceResult } from './service.ts';
import type { SimDocument } from './ssm-commands.ts';
import type { SsmDeps } from './ssm-deps.ts';

const VERSION = /^(\$DEFAULT|\$LATEST|[1-9][0-9]*)$/;

function documentNamed(deps: SsmDeps, name: unknown): SimDocument {
  const document = typeof name === 'string' ? deps.documents.get(name) : undefined;
  if (!document) throw new AwsError('InvalidDocument', `Document with name ${String(name)} does not exist.`);
  return document;
}

/** The version number a SendCommand DocumentVersion selects ($DEFAULT when absent). */
export function resolveDocumentVersion(document: SimDocument, requested: string): number {
  const latest = document.latestVersion ?? 1;
  const number =
    requested === '$DEFAULT'
      ? (document.defaultVersion ?? 1)
      : requested === '$LATEST'
        ? latest
        : Number(requested);
  if (!VERSION.test(requested) || number > latest) {
    throw new AwsError('InvalidDocumentVersion', `Document ${document.name} has no version ${requested}`);
  }
  return number;
}

/** What a version added after deployment would run: its runCommand lines, or its raw content. */
export function addedVersionScript(document: SimDocument, version: number): string | undefined {
  const content = document.addedVersions?.[version];
  if (content === undefined) return undefined;
  try {
    const parsed = JSON.parse(content) as { mainSteps?: { inputs?: { runCommand?: string[] } }[] };
    const lines = parsed.mainSteps?.flatMap((s) => s.inputs?.runCommand ?? []);
    return lines && lines.length > 0 ? `${lines.join('\n')}\n` : content;
  } catch {
    return content;
  }
}

function describe(document: SimDocument) {
  return {
    DocumentDescription: {
      Name: document.name,
      DocumentType: 'Command',
      DocumentVersion: String(document.latestVersion ?? 1),
      LatestVersion: String(document.latestVersion ?? 1),
      DefaultVersion: String(document.defaultVersion ?? 1),
      Status: 'Active',
    },
  };
}

/** UpdateDocument: only the latest version may be updated; the content becomes a new version. */
export function updateDocument(deps: SsmDeps, input: Record<string, unknown>): ServiceResult {
  const document = documentNamed(deps, input.Name);
  const content = input.Content;
  if (typeof content !== 'string' || content.length === 0)
    throw new AwsError('InvalidDocumentContent', 'Content is required');
  const latest = document.latestVersion ?? 1;
  const target = (input.DocumentVersion as string | undefined) ?? '$LATEST';
  if (target !== '$LATEST' && target !== String(latest))
    throw new AwsError('InvalidDocumentVersion', 'Only the latest version of a document can be updated.');
  document.latestVersion = latest + 1;
  document.addedVersions = { ...document.addedVersions, [latest + 1]: content };
  return { json: describe(document) };
}

/** UpdateDocumentDefaultVersion: which version $DEFAULT (and so an unpinned SendCommand) runs. */
export function updateDocumentDefaultVersion(deps: SsmDeps, input: Record<string, unknown>): ServiceResult {
  const document = documentNamed(deps, input.Name);
  const requested = String(input.DocumentVersion ?? '');
  if (!/^[1-9][0-9]*$/.test(requested) || Number(requested) > (document.latestVersion ?? 1))
    throw new AwsError('InvalidDocumentVersion', `Document ${document.name} has no version ${requested}`);
  document.defaultVersion = Number(requested);
  return {
    json: { Description: { Name: document.name, DefaultVersion: requested } },
  };
}
