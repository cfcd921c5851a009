/** Amazon EKS (restJson1): ListClusters and DescribeCluster over the fleet's clusters. */
import type { Fleet } from '../fleet.ts';
import { AwsError, decodeToken, encodeToken } from './protocols.ts';
import type { Service, ServiceRequest, ServiceResult } from './service.ts';

/** restJson1 routes: GET /clusters, GET /clusters/{name}. */
export function routeEks(
  method: string,
  pathname: string,
): { operation: string; params: Record<string, string> } | undefined {
  if (method !== 'GET') return undefined;
  if (pathname === '/clusters') return { operation: 'ListClusters', params: {} };
  const match = /^\/clusters\/([^/]+)$/.exec(pathname);
  if (match) return { operation: 'DescribeCluster', params: { name: decodeURIComponent(match[1]!) } };
  return undefined;
}

export function createEks(fleet: Fleet): Service {
  return {
    name: 'eks',
    protocol: 'restJson1',
    operations: new Set(['ListClusters', 'DescribeCluster']),
    handle(request: ServiceRequest): ServiceResult {
      return request.operation === 'ListClusters'
        ? listClusters(fleet, request)
        : describeCluster(fleet, request);
    },
  };
}

function listClusters(fleet: Fleet, { query }: ServiceRequest): ServiceResult {
  const maxResults = query.has('maxResults') ? Number(query.get('maxResults')) : 100;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
    throw new AwsError('InvalidParameterException', 'maxResults must be between 1 and 100', 400);
  }
  const names = [...fleet.clusters.keys()];
  const offset = decodeToken(
    query.get('nextToken') ?? undefined,
    'eks:clusters',
    'InvalidParameterException',
  );
  const page = names.slice(offset, offset + maxResults);
  const next =
    offset + maxResults < names.length ? encodeToken('eks:clusters', offset + maxResults) : undefined;
  return { json: { clusters: page, ...(next ? { nextToken: next } : {}) } };
}

function describeCluster(fleet: Fleet, { params }: ServiceRequest): ServiceResult {
  const cluster = fleet.clusters.get(params.name ?? '');
  if (!cluster) {
    throw new AwsError('ResourceNotFoundException', `No cluster found for name: ${params.name}.`, 404, {
      clusterName: params.name,
    });
  }
  return {
    json: {
      cluster: {
        name: cluster.name,
        arn: cluster.arn,
        createdAt: cluster.createdAtMs / 1000,
        version: cluster.version,
        platformVersion: cluster.platformVersion,
        status: cluster.status,
        endpoint: `https://${cluster.name.toUpperCase()}.gr7.${fleet.region}.eks.amazonaws.com`,
        roleArn: `arn:aws:iam::${fleet.accountId}:role/eks-cluster-${cluster.name}`,
        tags: cluster.tags,
        accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
        computeConfig: cluster.autoMode
          ? {
              enabled: true,
              nodePools: ['general-purpose', 'system'],
              nodeRoleArn: `arn:aws:iam::${fleet.accountId}:role/eks-auto-node-${cluster.name}`,
            }
          : { enabled: false },
      },
    },
  };
}
