/**
 * CDK context → stack settings. The lasting place for settings is `context` in cdk.json (every later
 * `npx cdk deploy` reads it again); `-c key=value` overrides it for one command. Values from `-c` are
 * strings, values from cdk.json may be JSON numbers, booleans or (clusters) an array. Anything that is
 * not a setting, an empty value or a wrong type fails synth with one line naming the key and what it
 * accepts: a typo such as `-c cluster=prod` must never deploy a stack that scans every cluster.
 */
import { SETTINGS, type SettingName } from './settings-schema.ts';

export { MAX_CLUSTERS } from './settings-schema.ts';

type Values = { -readonly [K in SettingName]: ReturnType<(typeof SETTINGS)[K]['parse']> };

export interface AppSettings extends Partial<Omit<Values, 'securityHubExtras' | 'notifyNewFailed'>> {
  readonly securityHubExtras: boolean;
  readonly notifyNewFailed: boolean;
}

export class SettingsError extends Error {
  constructor(
    readonly key: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SettingsError';
  }
}

/**
 * Context keys the CDK itself puts there (seen in the context a `cdk synth` hands the app): feature
 * flags (`@aws-cdk/...`), `aws:cdk:*` switches, cdk.context.json lookups (`<provider>:account=…`),
 * and these plain ones.
 */
const CDK_PLAIN_KEYS = new Set(['cli-telemetry', 'acknowledged-issue-numbers']);

export function isCdkContextKey(key: string): boolean {
  return key.startsWith('@') || key.includes(':') || CDK_PLAIN_KEYS.has(key);
}

const NAMES = Object.keys(SETTINGS) as SettingName[];

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min(current + 1, (row[j - 1] as number) + 1, previous + cost);
      previous = current;
    }
  }
  return row[b.length] as number;
}

function unknownSetting(key: string): SettingsError {
  const nearest = NAMES.map((name) => ({ name, d: distance(key, name) })).sort((x, y) => x.d - y.d)[0];
  const hint =
    nearest && nearest.d <= Math.max(2, Math.floor(key.length / 3)) ? ` did you mean "${nearest.name}"?` : '';
  return new SettingsError(key, `unknown setting "${key}":${hint} Accepted: ${NAMES.join(', ')}`);
}

function parseOne(key: SettingName, raw: unknown): unknown {
  const setting = SETTINGS[key];
  const fail = (problem: string, cause?: unknown) =>
    new SettingsError(key, `setting "${key}" ${problem}. Accepted: ${setting.accepted}`, { cause });
  if (raw === null || (typeof raw === 'string' && raw.trim() === '')) throw fail('is empty');
  try {
    return setting.parse(raw as never);
  } catch (cause) {
    throw fail(cause instanceof Error ? cause.message : String(cause), cause);
  }
}

/** Reads every setting from the whole context (`app.node.getAllContext()`). */
export function readAppSettings(context: Record<string, unknown>): AppSettings {
  const values: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(context)) {
    if (isCdkContextKey(key)) continue;
    if (!(key in SETTINGS)) throw unknownSetting(key);
    values[key] = parseOne(key as SettingName, raw);
  }
  if (values.notifyNewFailed === true && values.alarmEmail === undefined) {
    throw new SettingsError(
      'notifyNewFailed',
      'setting "notifyNewFailed" publishes to the alarm topic, which exists only with "alarmEmail". ' +
        'Accepted: notifyNewFailed=true together with alarmEmail=<address>',
    );
  }
  return {
    ...values,
    securityHubExtras: (values.securityHubExtras as boolean | undefined) ?? true,
    notifyNewFailed: (values.notifyNewFailed as boolean | undefined) ?? false,
  } as AppSettings;
}
