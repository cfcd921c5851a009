/**
 * DynamoDB for the emulator: dynalite (the DynamoDB wire protocol over an in-memory store), started
 * in-process beside the other services. The emulator's endpoint forwards `DynamoDB_20120810.*`
 * requests to it, so the scanner's one endpoint reaches every service, and counts them like the rest.
 */
import { request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { STATE_CLUSTER, STATE_CLUSTER_INDEX } from '../../../functions/aws/state-items.ts';
import { createCapacityMeter } from './dynamodb-capacity.ts';

/** The scanner's state table as the stack creates it (partition key `pk`, the by-cluster index). */
export const DEFAULT_STATE_TABLE = 'eks-kubelet-audit-state';

export interface DynamoDbBackend {
  readonly endpoint: string;
  /** Forwards one request (body already read) and pipes the answer back; resolves with its status. */
  forward(req: IncomingMessage, body: string, res: ServerResponse): Promise<number>;
  /** Read and write capacity units consumed since the last reset (dynamodb-capacity.ts). */
  readonly capacity: { readonly read: number; readonly write: number };
  resetCapacity(): void;
  stop(): Promise<void>;
}

// createTableMs 0: a table is ACTIVE at once (real tables take seconds; tests need not wait).
const DYNALITE_OPTIONS = { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 } as const;

interface Listening {
  readonly port: number;
  stop(): Promise<void>;
}

async function listenInProcess(): Promise<Listening> {
  const server: Server = dynalite(DYNALITE_OPTIONS);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

/**
 * dynalite on its own thread: a Query of a 500-node cluster's records is tens of ms of dynalite's CPU,
 * and twenty of them on the emulator's event loop held back every other service's answers by a second
 * (a bench artifact: DynamoDB's servers are not EC2's or SSM's).
 */
async function listenOnThread(): Promise<Listening> {
  const worker = new Worker(new URL('./dynalite-thread.mjs', import.meta.url), {
    workerData: DYNALITE_OPTIONS,
  });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (m: { port: number }) => resolve(m.port));
    worker.once('error', reject);
  });
  return {
    port,
    stop: async () => {
      await new Promise((resolve) => {
        worker.once('message', resolve);
        worker.postMessage('stop');
      });
      await worker.terminate();
    },
  };
}

export async function startDynamoDb(options: {
  tables?: readonly string[];
  region: string;
  thread?: boolean;
}) {
  const { port, stop } = options.thread ? await listenOnThread() : await listenInProcess();
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
  const meter = createCapacityMeter();
  const backend: DynamoDbBackend = {
    endpoint,
    capacity: meter.units,
    resetCapacity: () => meter.reset(),
    forward: (req, body, res) =>
      new Promise((resolve, reject) => {
        const target = String(req.headers['x-amz-target'] ?? '');
        const operation = target.split('.')[1] ?? '';
        const prepared = meter.prepare(operation, body);
        const headers = { ...req.headers, 'content-length': String(Buffer.byteLength(prepared.body)) };
        const out = httpRequest(
          { host: '127.0.0.1', port, method: req.method, path: req.url, headers },
          (answer) => {
            const parts: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => parts.push(chunk));
            answer.on('end', () => {
              const text = meter.account(operation, Buffer.concat(parts).toString('utf8'), prepared.injected);
              const answerHeaders: Record<string, string | string[] | undefined> = {
                ...answer.headers,
                'content-length': String(Buffer.byteLength(text)),
              };
              // The checksum was of dynalite's answer; the SDK checks it only when present.
              if (prepared.injected) delete answerHeaders['x-amz-crc32'];
              delete answerHeaders['transfer-encoding'];
              res.writeHead(answer.statusCode ?? 500, answerHeaders);
              res.end(text);
              resolve(answer.statusCode ?? 500);
            });
            answer.on('error', reject);
          },
        );
        out.on('error', reject);
        out.end(prepared.body);
      }),
    stop,
  };
  return backend;
}
