/**
 * The scanner's state table: one lease item per cluster (a scan runs only while it holds its
 * cluster's lease, and not again within the minimum interval) and one item per node for node-scoped
 * scans (functions/scanner/scan-leases.ts); and the finding state, one record per node and one per
 * cluster (functions/aws/state-items.ts), listed by cluster through the by-cluster index. Items
 * expire by the `expiresAt` TTL attribute.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { STATE_CLUSTER, STATE_CLUSTER_INDEX } from '../../functions/aws/state-items.ts';

/** Partition key and TTL attribute; scan-leases.ts writes the same names. */
export const STATE_TABLE_KEY = 'pk';
export const STATE_TABLE_TTL = 'expiresAt';

export class ScannerStateTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: STATE_TABLE_KEY, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: STATE_TABLE_TTL,
      // Leases, scan times and what was last imported: a new table is rebuilt from Security Hub by the
      // next scan of each cluster, nothing to keep after the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Only finding-state items carry the attribute, so leases stay out of the index.
    this.table.addGlobalSecondaryIndex({
      indexName: STATE_CLUSTER_INDEX,
      partitionKey: { name: STATE_CLUSTER, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }

  /**
   * The only calls the scanner makes on it (scan-leases.ts, functions/aws/state-table.ts): on this
   * table, and Query on its by-cluster index only.
   */
  statements(): PolicyStatement[] {
    return [
      new PolicyStatement({
        sid: 'ScannerStateTable',
        actions: ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem'],
        resources: [this.table.tableArn],
      }),
      new PolicyStatement({
        sid: 'ScannerStateByCluster',
        actions: ['dynamodb:Query'],
        resources: [`${this.table.tableArn}/index/${STATE_CLUSTER_INDEX}`],
      }),
    ];
  }
}
