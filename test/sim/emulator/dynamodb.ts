/**
 * DynamoDB for the emulator: dynalite (the DynamoDB wire protocol over an in-memory store), started
 * in-process beside the other services. The emulator's endpoint forwards `DynamoDB_20120810.*`
 * requests to it, so the scanner's one endpoint reaches every service, and counts them like the rest.
 */
import { request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { STATE_CLUSTER, STATE_CLUSTER_INDEX } from '../../../functions/aws/state-items.ts';

/** The scanner's state table as the stack creates it (partition key `pk`, the by-cluster index). */
export const DEFAULT_STATE_TABLE = 'eks-kubelet-audit-state';

export interface DynamoDbBackend {
  readonly endpoint: string;
  /** Forwards one request (body already read) and pipes the answer back; resolves with its status. */
  forward(req: IncomingMessage, body: string, res: ServerResponse): Promise<number>;
  stop(): Promise<void>;
}

export async function startDynamoDb(options: { tables?: readonly string[]; region: string }) {
  // createTableMs 0: a table is ACTIVE at once (real tables take seconds; tests need not wait).
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const admin = new DynamoDBClient({
    endpoint,
    region: options.region,
    credentials: { accessKeyId: 'AKIDADMIN', secretAccessKey: 'x' },
  });
  for (const TableName of options.tables ?? [DEFAULT_STATE_TABLE]) {
    await admin.send(
      new CreateTableCommand({
        TableName,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: STATE_CLUSTER, AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        // The finding-state index, as the stack creates it (infra/constructs/scanner-state-table.ts).
        GlobalSecondaryIndexes: [
          {
            IndexName: STATE_CLUSTER_INDEX,
            KeySchema: [{ AttributeName: STATE_CLUSTER, KeyType: 'HASH' }],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
  admin.destroy();
  const backend: DynamoDbBackend = {
    endpoint,
    forward: (req, body, res) =>
      new Promise((resolve, reject) => {
        const out = httpRequest(
          { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 500, answer.headers);
            answer.pipe(res);
            answer.on('end', () => resolve(answer.statusCode ?? 500));
            answer.on('error', reject);
          },
        );
        out.on('error', reject);
        out.end(body);
      }),
    stop: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
  return backend;
}
