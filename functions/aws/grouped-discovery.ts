/**
 * Discovery of the clusters one invocation scans side by side, one query per provisioner tag for all
 * of them instead of one per tag and cluster.
 *
 * A filter's values are ORed (`tag:eks:cluster-name` = a, b, c), so one DescribeInstances query can
 * select the nodes of every cluster of the invocation; a page holds up to 1,000 instances. Accounts
 * with several small clusters (dev, staging, prod of a few hundred nodes each) then discover them in
 * 3 calls instead of 3 per cluster. A large fleet's grouped query would be one long NextToken chain,
 * where the clusters' own queries run side by side, and every cluster would wait for the whole chain:
 * so only the first page is asked for, and a query it does not complete is left to each cluster's own
 * (3 calls and one page of decoding spent for nothing, at the start, beside the vanished-cluster
 * check and DescribeCluster that discovery waits for anyway).
 */
import {
  DescribeInstancesCommand,
  type DescribeInstancesCommandOutput,
  type EC2Client,
  type Instance,
} from '@aws-sdk/client-ec2';
import { DESCRIBE_PAGE } from './discovery.ts';
import { RUNNING_FILTER, TAG_QUERIES } from './node-tags.ts';

/**
 * Clusters one grouped query names: EC2 takes at most 200 filter values in one call, counted here over
 * all the call's filters (discovery.ts EC2_FILTER_VALUES), so 100 clusters and the state filter fit;
 * more clusters than this are discovered cluster by cluster.
 */
export const MAX_GROUPED_CLUSTERS = 100;

/** Per TAG_QUERIES entry, each cluster's instances, or undefined where the page did not hold them all. */
type GroupedPages = readonly (ReadonlyMap<string, Instance[]> | undefined)[];

export class GroupedDiscovery {
  private readonly pages: Promise<GroupedPages>;

  constructor(ec2: EC2Client, clusters: readonly string[]) {
    const names = [...new Set(clusters)];
    this.pages =
      names.length < 2 || names.length > MAX_GROUPED_CLUSTERS
        ? Promise.resolve([])
        : Promise.all(TAG_QUERIES.map((query) => firstPage(ec2, query, names)));
  }

  /**
   * The cluster's instances per TAG_QUERIES entry, where a grouped query returned every match;
   * undefined entries need the cluster's own query (listClusterNodes runs it).
   */
  async instancesOf(cluster: string): Promise<(readonly Instance[] | undefined)[]> {
    const pages = await this.pages;
    return TAG_QUERIES.map((_, i) => pages[i]?.get(cluster));
  }
}

async function firstPage(
  ec2: EC2Client,
  query: (typeof TAG_QUERIES)[number],
  clusters: readonly string[],
): Promise<ReadonlyMap<string, Instance[]> | undefined> {
  let out: DescribeInstancesCommandOutput;
  try {
    out = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [query.filter(clusters), RUNNING_FILTER],
        MaxResults: DESCRIBE_PAGE,
        // As in the clusters' own queries: Auto Mode instances are EC2 managed instances.
        IncludeManagedResources: true,
      }),
    );
  } catch {
    // Each cluster's own query asks again and fails (or not) on its own account.
    return undefined;
  }
  // More than a page (or a short page with a token: EC2 filters after paging): not every match is here.
  if (out.NextToken) return undefined;
  const byCluster = new Map<string, Instance[]>(clusters.map((c) => [c, []]));
  for (const reservation of out.Reservations ?? []) {
    for (const instance of reservation.Instances ?? []) {
      for (const cluster of query.clustersOf(instance)) byCluster.get(cluster)?.push(instance);
    }
  }
  return byCluster;
}
