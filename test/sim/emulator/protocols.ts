/**
 * Wire-level helpers for the three AWS protocols the SDK clients speak here:
 * awsJson1_1 (SSM, EventBridge), restJson1 (EKS, Security Hub) and EC2's query protocol (form body
 * in, XML out). Errors must be shaped exactly as the SDK deserializers expect, or the SDK surfaces
 * a generic deserialization error instead of the named exception.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Protocol = 'awsJson1_1' | 'restJson1' | 'ec2Query';

/** A service error; the server renders it in the caller's protocol. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Extra members of the error shape (e.g. EKS `clusterName`). */
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res: ServerResponse, protocol: Protocol, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': protocol === 'awsJson1_1' ? 'application/x-amz-json-1.1' : 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
  });
  res.end(text);
}

export function sendXml(res: ServerResponse, status: number, body: string): void {
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
  res.writeHead(status, {
    'content-type': 'text/xml;charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendError(res: ServerResponse, protocol: Protocol, error: AwsError): void {
  if (protocol === 'ec2Query') {
    // EC2 query errors: <Response><Errors><Error><Code> (the SDK reads Errors.Error.Code).
    sendXml(
      res,
      error.status,
      `<Response><Errors><Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>${crypto.randomUUID()}</RequestID></Response>`,
    );
    return;
  }
  const text = JSON.stringify(
    protocol === 'awsJson1_1'
      ? { __type: error.code, message: error.message, ...error.fields }
      : { message: error.message, Message: error.message, Code: error.code, ...error.fields },
  );
  res.writeHead(error.status, {
    'content-type': protocol === 'awsJson1_1' ? 'application/x-amz-json-1.1' : 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-errortype': error.code,
    'x-amzn-requestid': crypto.randomUUID(),
  });
  res.end(text);
}

export function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;',
  );
}

/** `<tag>value</tag>`, omitted when the value is undefined. */
export function xmlLeaf(tag: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${tag}>${escapeXml(String(value))}</${tag}>`;
}

/** EC2 query lists: `Name.1`, `Name.2`, ... in index order. */
export function queryList(params: URLSearchParams, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; params.has(`${prefix}.${i}`); i++) out.push(params.get(`${prefix}.${i}`)!);
  return out;
}

export interface QueryFilter {
  name: string;
  values: string[];
}

/** EC2 `Filter.N.Name` / `Filter.N.Value.M`. */
export function queryFilters(params: URLSearchParams): QueryFilter[] {
  const out: QueryFilter[] = [];
  for (let i = 1; params.has(`Filter.${i}.Name`); i++) {
    out.push({ name: params.get(`Filter.${i}.Name`)!, values: queryList(params, `Filter.${i}.Value`) });
  }
  return out;
}

/** Parse a JSON request body; a malformed one is the service's SerializationException. */
export function parseJsonBody(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(body);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new AwsError('SerializationException', 'Request body is not a JSON object');
}

/** Opaque paging tokens: base64 of the next offset plus a guard so foreign tokens are rejected. */
export function encodeToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ s: scope, o: offset })).toString('base64');
}

export function decodeToken(token: unknown, scope: string, errorCode: string): number {
  if (token === undefined || token === null || token === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64').toString('utf8')) as {
      s?: string;
      o?: number;
    };
    if (parsed.s === scope && Number.isInteger(parsed.o) && (parsed.o as number) >= 0)
      return parsed.o as number;
  } catch {
    // fall through
  }
  throw new AwsError(errorCode, 'The specified token is not valid');
}
