import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeInstanceInformationCommand, ListCommandsCommand } from '@aws-sdk/client-ssm';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiCallCounter,
  createClients,
  instrumentClients,
  withApiCallCounter,
  withPacer,
} from '../../functions/aws/clients.ts';
import { Pacer } from '../../functions/aws/pacer.ts';

let server: Server;
let endpoint: string;
let failNext = 0;

beforeAll(async () => {
  // A minimal awsJson1_1 endpoint: answers {} (or a 500 when asked to fail).
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(500, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-ErrorType': 'InternalServerError',
        });
        res.end(JSON.stringify({ __type: 'InternalServerError', message: 'boom' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('API call counting', () => {
  it('counts every HTTP attempt by operation, per scan and globally, even for concurrent scans', async () => {
    // Prepare
    const clients = createClients({
      region: 'eu-west-1',
      endpoint,
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
      retryStrategy: new ConfiguredRetryStrategy(3, () => 1),
    });
    const global = new ApiCallCounter();
    instrumentClients(clients, global);
    instrumentClients(clients, global); // idempotent: a second call must not double count
    const a = new ApiCallCounter();
    const b = new ApiCallCounter();
    failNext = 1;
    // Act
    await Promise.all([
      withApiCallCounter(a, async () => {
        await clients.ssm.send(new ListCommandsCommand({}));
        await clients.ssm.send(new ListCommandsCommand({}));
      }),
      withApiCallCounter(b, () => clients.ssm.send(new DescribeInstanceInformationCommand({}))),
    ]);
    // Assess: one of the three requests was retried once (4 attempts in all).
    expect(a.get('ListCommands') + b.get('DescribeInstanceInformation')).toBe(4);
    expect(a.toJSON()).not.toHaveProperty('DescribeInstanceInformation');
    expect(b.toJSON()).not.toHaveProperty('ListCommands');
    expect(global.total).toBe(4);
  });
});

describe('pacing', () => {
  it("makes every attempt of a paced operation, retries included, wait for a token of its scan's share", async () => {
    // Prepare: ListCommands paced at 1/s burst 1 on a clock whose sleep advances it; the first
    // attempt fails once, so the call takes two attempts.
    let now = 0;
    const slept: number[] = [];
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        slept.push(ms);
        now += ms;
      },
    };
    const clients = createClients({
      region: 'eu-west-1',
      endpoint,
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
      retryStrategy: new ConfiguredRetryStrategy(3, () => 1),
    });
    instrumentClients(clients);
    const pacer = new Pacer(1, clock, { ListCommands: { ratePerSecond: 1, burst: 1 } });
    const counter = new ApiCallCounter();
    failNext = 1;
    // Act
    await withApiCallCounter(counter, () =>
      withPacer(pacer, () => clients.ssm.send(new ListCommandsCommand({}))),
    );
    await clients.ssm.send(new ListCommandsCommand({})); // outside any scan's pacer: never waits
    await withPacer(pacer, () => clients.ssm.send(new DescribeInstanceInformationCommand({})));
    // Assess: the retry took the second token (1 s after the first); nothing else waited.
    expect(counter.get('ListCommands')).toBe(2);
    expect(slept).toEqual([1_000]);
  });
});
