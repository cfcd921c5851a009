// dynalite on a thread of its own (dynamodb.ts, `thread: true`): its CPU does not hold back the
// answers of the emulator's other services, as DynamoDB's servers do not hold back EC2's or SSM's.
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';

const server = dynalite(workerData);
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (message) => {
  if (message === 'stop') server.close(() => parentPort.postMessage({ stopped: true }));
});
