/**
 * Renders the `ps -ef` line a person would expect to see for a kubelet, so a finding shows the
 * running command in the familiar form. The collector reads /proc instead of running ps (exact argv,
 * no width limit); this rebuilds procps-ng's columns from the same facts.
 */
import type { EvidenceDocument, KubeletProcess } from './evidence-schema.ts';

export const PS_EF_HEADER = 'UID          PID    PPID  C STIME TTY          TIME CMD';

export interface PsLineOptions {
  /** uid → user name; uid 0 is always root (the collector does not read /etc/passwd). */
  users?: Readonly<Record<number, string>>;
  /** IANA zone for STIME; EKS nodes run in UTC. */
  timeZone?: string;
}

type HostFacts = Pick<EvidenceDocument['host'], 'uptimeSeconds' | 'nowEpochSeconds'>;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Building an Intl.DateTimeFormat costs about 0.1 ms (it loads ICU locale and zone data): once per
// zone, not once per node (it was the single costliest call of a 5,000-node scan, 0.7 s of CPU).
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let fmt = formats.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
    });
    formats.set(timeZone, fmt);
  }
  return fmt;
}

function parts(epochSeconds: number, timeZone: string) {
  const fmt = formatFor(timeZone);
  const out: Record<string, number> = {};
  for (const p of fmt.formatToParts(new Date(epochSeconds * 1000))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return {
    year: out.year ?? 0,
    month: out.month ?? 1,
    day: out.day ?? 1,
    hour: out.hour ?? 0,
    minute: out.minute ?? 0,
  };
}

/** procps-ng STIME: "HH:MM" if started within the last 24 h, "MmmDD" within the year, else "YYYY". */
export function formatStime(startEpoch: number, nowEpoch: number, timeZone = 'UTC'): string {
  const start = parts(startEpoch, timeZone);
  if (nowEpoch - startEpoch < 24 * 3600) {
    return `${String(start.hour).padStart(2, '0')}:${String(start.minute).padStart(2, '0')}`;
  }
  if (parts(nowEpoch, timeZone).year === start.year) {
    return `${MONTHS[start.month - 1]}${String(start.day).padStart(2, '0')}`;
  }
  return String(start.year);
}

/** procps-ng TIME: cumulative CPU as [DD-]HH:MM:SS. */
export function formatCpuTime(cpuSeconds: number): string {
  const total = Math.floor(cpuSeconds);
  const days = Math.floor(total / 86400);
  const hh = String(Math.floor((total % 86400) / 3600)).padStart(2, '0');
  const mm = String(Math.floor((total % 3600) / 60)).padStart(2, '0');
  const ss = String(total % 60).padStart(2, '0');
  return days > 0 ? `${days}-${hh}:${mm}:${ss}` : `${hh}:${mm}:${ss}`;
}

/** ps shows non-printable characters of the command line as "?". */
function printable(arg: string): string {
  return arg.replace(/[^\x20-\x7e]/g, '?');
}

/** The line of each kubelet process: every control's evidence shows it (default options only). */
const lineOf = new WeakMap<KubeletProcess, { readonly host: HostFacts; readonly line: string }>();

/** The `ps -ef` line (without header) for a kubelet process; unknown columns show "?". */
export function renderPsLine(proc: KubeletProcess, host: HostFacts, options: PsLineOptions = {}): string {
  if (options.users !== undefined || options.timeZone !== undefined) return psLine(proc, host, options);
  const known = lineOf.get(proc);
  if (known !== undefined && known.host === host) return known.line;
  const line = psLine(proc, host, options);
  lineOf.set(proc, { host, line });
  return line;
}

function psLine(proc: KubeletProcess, host: HostFacts, options: PsLineOptions): string {
  const uid =
    proc.uid === undefined
      ? '?'
      : (options.users?.[proc.uid] ?? (proc.uid === 0 ? 'root' : String(proc.uid)));
  let stime = '?';
  let c = '?';
  const { uptimeSeconds, nowEpochSeconds } = host;
  if (proc.startSecondsSinceBoot !== undefined && uptimeSeconds !== undefined) {
    const elapsed = Math.max(0, uptimeSeconds - proc.startSecondsSinceBoot);
    if (nowEpochSeconds !== undefined) {
      stime = formatStime(Math.round(nowEpochSeconds - elapsed), nowEpochSeconds, options.timeZone);
    }
    // C is integer CPU utilisation over the process's life, at most 99 (procps-ng pr_c).
    if (proc.cpuSeconds !== undefined) {
      c = String(elapsed > 0 ? Math.min(99, Math.floor((proc.cpuSeconds * 100) / elapsed)) : 0);
    }
  }
  const time = proc.cpuSeconds === undefined ? '?' : formatCpuTime(proc.cpuSeconds);
  const cmd = proc.argv.map(printable).join(' ') + (proc.argvCut ? ' …' : '');
  return [
    uid.padEnd(8),
    String(proc.pid).padStart(7),
    (proc.ppid === undefined ? '?' : String(proc.ppid)).padStart(7),
    c.padStart(2),
    stime.padEnd(5),
    '?'.padEnd(8),
    time.padStart(8),
    cmd,
  ].join(' ');
}
