/**
 * The emulator meters DynamoDB request units the way DynamoDB bills an on-demand table (dynalite's
 * ConsumedCapacity: a write unit per 1 KB, a read unit per 4 KB, half for an eventually consistent
 * read), and a caller that did not ask for ConsumedCapacity does not get it.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticFleet } from '../fleet.ts';
import { type Emulator, sdkClientConfig, startEmulator } from './index.ts';

let emulator: Emulator;
let client: DynamoDBClient;

beforeAll(async () => {
  emulator = await startEmulator({
    fleet: syntheticFleet({ nodes: 2, clusters: 1, seed: 1 }),
    rateLimits: false,
  });
  client = new DynamoDBClient(sdkClientConfig(emulator.endpoint, { fastRetry: true }));
});

afterAll(async () => {
  client.destroy();
  await emulator.stop();
});

describe('DynamoDB request units', () => {
  it('counts a write unit per KB written and half a read unit per 4 KB read eventually consistent', async () => {
    emulator.resetCalls();
    const TableName = emulator.stateTable;
    await client.send(new PutItemCommand({ TableName, Item: { pk: { S: 'small' }, v: { S: 'x' } } }));
    await client.send(
      new PutItemCommand({ TableName, Item: { pk: { S: 'big' }, v: { S: 'x'.repeat(2_500) } } }),
    );

    const read = await client.send(new GetItemCommand({ TableName, Key: { pk: { S: 'big' } } }));

    expect(read.Item?.v?.S).toHaveLength(2_500);
    expect(read.ConsumedCapacity).toBeUndefined();
    expect(emulator.dynamoDbCapacity).toEqual({ read: 0.5, write: 1 + 3 });
    expect(emulator.calls['dynamodb:PutItem']).toBe(2);
  });

  it('leaves the capacity in the answer of a caller who asked for it', async () => {
    const answer = await client.send(
      new GetItemCommand({
        TableName: emulator.stateTable,
        Key: { pk: { S: 'small' } },
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );

    expect(answer.ConsumedCapacity?.CapacityUnits).toBe(1);
  });
});
