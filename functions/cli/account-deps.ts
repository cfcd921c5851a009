/**
 * What the account commands need from outside: AWS clients (the caller's credentials, or the
 * emulator's endpoint in tests, as createClients takes them), a clock, and a yes/no question.
 */
import { type AwsClients, createClients } from '../aws/clients.ts';

export interface AccountDeps {
  /** The clients for a Region; undefined = the SDK's own Region chain (AWS_REGION, the profile). */
  readonly clients: (region?: string) => AwsClients;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  /** Asks the question on the terminal; true only for an explicit yes. */
  readonly confirm: (question: string) => Promise<boolean>;
}

async function askOnTerminal(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export function defaultAccountDeps(): AccountDeps {
  return {
    // The standard credential chain (AWS_PROFILE, SSO, environment) and standard retries.
    clients: (region) => createClients(region ? { region } : {}),
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    confirm: askOnTerminal,
  };
}
