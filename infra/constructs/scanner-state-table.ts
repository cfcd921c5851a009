/**
 * The scanner's state table: one lease item per cluster (a scan runs only while it holds its
 * cluster's lease, and not again within the minimum interval) and one item per node for node-scoped
 * scans (functions/scanner/scan-leases.ts). Items expire by the `expiresAt` TTL attribute.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

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
      // Leases and scan times only: rebuilt by the next scans, nothing to keep after the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /** The only calls the scanner makes on it (scan-leases.ts), on this table only. */
  statement(): PolicyStatement {
    return new PolicyStatement({
      sid: 'ScanLeasesInStateTable',
      actions: ['dynamodb:UpdateItem', 'dynamodb:GetItem'],
      resources: [this.table.tableArn],
    });
  }
}
