/**
 * `npm run bench`: scans a simulated fleet through the real Lambda bundle and SDK against the local
 * emulator with AWS-like latency, rate limits and node run times, and compares it with the floor AWS's
 * own limits set (see test/sim/bench/ and docs/performance.md).
 */
import { writeFileSync } from 'node:fs';
import { measure } from './bench/measure.ts';
import { parseOptions, USAGE } from './bench/options.ts';
import { renderReport, resultJson } from './bench/report.ts';

let options: ReturnType<typeof parseOptions>;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exit(2);
}
const result = await measure(options, (message) => process.stderr.write(`bench: ${message}\n`));
process.stdout.write(`${renderReport(result)}\n`);
writeFileSync(options.out, `${JSON.stringify(resultJson(result), null, 2)}\n`);
process.stderr.write(`bench: wrote ${options.out}\n`);
