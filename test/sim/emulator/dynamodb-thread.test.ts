/**
 * dynalite on a thread of its own (the bench's emulator): the same wire protocol, table and meter as
 * in-process, and its CPU off the emulator's event loop.
 */
import { DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE_CLUSTER, STATE_CLUSTER_INDEX } from '../../../functions/aws/state-items.ts';
import { DEFAULT_STATE_TABLE, type DynamoDbBackend, startDynamoDb } from './dynamodb.ts';
import { FAKE_CREDENTIALS, startEmulator } from './index.ts';

let db: DynamoDbBackend;
let client: DynamoDBClient;

beforeAll(async () => {
  db = await startDynamoDb({ region: 'eu-west-1', thread: true });
  client = new DynamoDBClient({ endpoint: db.endpoint, region: 'eu-west-1', credentials: FAKE_CREDENTIALS });
});
afterAll(async () => {
  client.destroy();
  await db.stop();
});

describe('dynalite on its own thread', () => {
  it('serves the state table with its by-cluster index', async () => {
    for (const i of [1, 2, 3]) {
      await client.send(
        new PutItemCommand({
          TableName: DEFAULT_STATE_TABLE,
          Item: { pk: { S: `node#i-${i}` }, [STATE_CLUSTER]: { S: i < 3 ? 'prod' : 'dev' } },
        }),
      );
    }
    const answer = await client.send(
      new QueryCommand({
        TableName: DEFAULT_STATE_TABLE,
        IndexName: STATE_CLUSTER_INDEX,
        KeyConditionExpression: '#c = :c',
        ExpressionAttributeNames: { '#c': STATE_CLUSTER },
        ExpressionAttributeValues: { ':c': { S: 'prod' } },
      }),
    );
    expect(answer.Items?.map((item) => item.pk?.S).sort()).toEqual(['node#i-1', 'node#i-2']);
  });

  it('answers behind the emulator, which meters its calls and stops it', async () => {
    const emulator = await startEmulator({ dynamoDbThread: true });
    try {
      const viaEmulator = new DynamoDBClient({
        endpoint: emulator.endpoint,
        region: emulator.fleet.region,
        credentials: FAKE_CREDENTIALS,
      });
      await viaEmulator.send(
        new PutItemCommand({
          TableName: emulator.stateTable,
          Item: { pk: { S: 'node#i-9' }, [STATE_CLUSTER]: { S: 'x' } },
        }),
      );
      expect(emulator.calls['dynamodb:PutItem']).toBe(1);
      expect(emulator.dynamoDbCapacity.write).toBeGreaterThan(0);
      viaEmulator.destroy();
    } finally {
      await emulator.stop();
    }
  });
});
