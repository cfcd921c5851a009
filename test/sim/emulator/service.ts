/** The shape every emulated service implements; server.ts does routing, auth, limits and faults. */
import type { Protocol } from './protocols.ts';

export interface ServiceRequest {
  /** Operation name as in the API model, e.g. "DescribeInstances". */
  operation: string;
  /** JSON body (awsJson / restJson), or {} for EC2 and GET requests. */
  json: Record<string, unknown>;
  /** URL query (restJson GET) or the EC2 form body. */
  query: URLSearchParams;
  /** Path labels (restJson), e.g. { name } for /clusters/{name}. */
  params: Record<string, string>;
}

/** JSON-serialisable body, or raw XML text for EC2. */
export type ServiceResult = { json: unknown; status?: number } | { xml: string };

export interface Service {
  /** Name used in call counts and rate-limit keys ("ssm", "ec2", ...). */
  readonly name: string;
  readonly protocol: Protocol;
  readonly operations: ReadonlySet<string>;
  handle(request: ServiceRequest): ServiceResult | Promise<ServiceResult>;
}
