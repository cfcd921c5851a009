/**
 * One "Lambda container" of the scanner: imports the esbuild bundle of functions/scanner/handler.ts
 * (the artifact the stack deploys) and runs invocations the bench sends over IPC, concurrently, as
 * Lambda would run them in parallel containers. Plain JavaScript on purpose: no TypeScript loader in
 * this process, so its peak RSS is the bundle's and the scan's own.
 *
 * The bundle's SDK clients reach the emulator through AWS_ENDPOINT_URL (the SDK's configured-endpoint
 * environment variable); config comes from the same environment variables the stack sets.
 *
 * Usage: node scanner-worker.mjs <bundle.mjs>   (stdio: stdout piped, ipc)
 */
import { pathToFileURL } from 'node:url';

const bundlePath = process.argv[2];
if (!bundlePath) throw new Error('usage: scanner-worker.mjs <bundle.mjs>');

const importStarted = performance.now();
const { handler } = await import(pathToFileURL(bundlePath).href);
const importMs = performance.now() - importStarted;
const eluStart = performance.eventLoopUtilization();
const cpuStart = process.cpuUsage();

let sampledPeakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  sampledPeakRss = Math.max(sampledPeakRss, process.memoryUsage().rss);
}, 20);
sampler.unref();

let sequence = 0;
const FUNCTION_NAME = 'eks-kubelet-audit';

async function invoke({ event, budgetMs, memoryMb, region, accountId }) {
  const started = Date.now();
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: FUNCTION_NAME,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${FUNCTION_NAME}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: `bench-${++sequence}`,
    logGroupName: `/aws/lambda/${FUNCTION_NAME}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => budgetMs - (Date.now() - started),
    done() {},
    fail() {},
    succeed() {},
  };
  try {
    const summary = await handler(event, context);
    return { ok: true, summary, startedMs: started, durationMs: Date.now() - started };
  } catch (error) {
    return {
      ok: false,
      error: `${error?.name ?? 'Error'}: ${error?.message ?? String(error)}`,
      startedMs: started,
      durationMs: Date.now() - started,
    };
  }
}

function stats() {
  sampledPeakRss = Math.max(sampledPeakRss, process.memoryUsage().rss);
  const elu = performance.eventLoopUtilization(eluStart);
  const cpu = process.cpuUsage(cpuStart);
  return {
    importMs,
    // resourceUsage().maxRSS is in kilobytes.
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    sampledPeakRssBytes: sampledPeakRss,
    cpuMs: (cpu.user + cpu.system) / 1000,
    eventLoopUtilization: elu.utilization,
  };
}

const methods = { invoke, stats };
process.on('message', async (message) => {
  if (message?.kind !== 'request') return;
  const method = methods[message.method];
  try {
    if (!method) throw new Error(`no method ${message.method}`);
    const value = await method(message.args);
    process.send({ kind: 'response', id: message.id, ok: true, value });
  } catch (error) {
    process.send({ kind: 'response', id: message.id, ok: false, error: String(error?.message ?? error) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ kind: 'ready', importMs });
