/**
 * The emulator meters DynamoDB request units the way DynamoDB bills an on-demand table (dynalite's
 * ConsumedCapacity: a write unit per 1 KB, a read unit per 4 KB, half for an eventually consistent
 * read), and a caller that did not ask for ConsumedCapacity does not get it.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticFleet } from '../fleet.ts';
import { createCapacityMeter } from './dynamodb-capacity.ts';
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

describe('the meter on dynalite answers', () => {
  const consumed = '"ConsumedCapacity":{"CapacityUnits":2.5,"TableName":"t"}';

  it('reads and cuts the last member without taking the items for it', () => {
    const meter = createCapacityMeter();
    const items = '{"Count":1,"Items":[{"pk":{"S":"a"},"ConsumedCapacity":{"S":"an attribute"}}]';

    expect(meter.account('Query', `${items},${consumed}}`, true)).toBe(`${items}}`);
    expect(meter.account('Query', `${items},${consumed}}`, false)).toBe(`${items},${consumed}}`);
    expect(meter.units.read).toBe(5);
  });

  it('parses the whole answer when the capacity is its only member, or not the last', () => {
    const meter = createCapacityMeter();

    expect(JSON.parse(meter.account('PutItem', `{${consumed}}`, true))).toEqual({});
    const notLast = `{${consumed},"Attributes":{"ConsumedCapacity":{"N":"1"}}}`;
    expect(JSON.parse(meter.account('UpdateItem', notLast, true))).toEqual({
      Attributes: { ConsumedCapacity: { N: '1' } },
    });
    expect(meter.units.write).toBe(5);
    const attributeOnly = '{"Items":[{"a":{"S":"1"},"ConsumedCapacity":{"S":"x"}}]}';
    expect(meter.account('Query', attributeOnly, false)).toBe(attributeOnly);
    expect(meter.units.read).toBe(0);
  });

  it('adds every table of a batch answer', () => {
    const meter = createCapacityMeter();
    const batch = '{"UnprocessedItems":{},"ConsumedCapacity":[{"CapacityUnits":3},{"CapacityUnits":4}]}';

    expect(meter.account('BatchWriteItem', batch, true)).toBe('{"UnprocessedItems":{}}');
    expect(meter.units.write).toBe(7);
  });
});
