/**
 * How SSM releases one command to its targets (pure; the emulator's CommandStore and the bench floor
 * both schedule with it, so the floor assumes exactly the ramp the emulator imposes).
 *
 * SSM User Guide, "Using rate controls"
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/send-commands-multiple.html): "The queueing
 * system delivers the command to a single node and waits until the system acknowledges the initial invocation
 * before sending the command to two more nodes. The system exponentially sends commands to more nodes until
 * the system meets the value of max-concurrency." Modelled as waves of 1, 2, 4, 8 … targets in the command's
 * target order: a wave is sent once every invocation of the previous wave was acknowledged (the agent picked
 * it up: the invocation started), and the waves stop gating once as many targets as MaxConcurrency were sent;
 * from then on a target is sent as soon as fewer than MaxConcurrency invocations are in flight. The ramp
 * applies to every command, tag-targeted or by ids.
 *
 * Not verified (stricter or simplest reading chosen): what "acknowledges" means exactly (taken as the
 * agent's pickup, not SSM's own receipt of the send), and how an invocation that is never picked up
 * (offline agent) counts: it does not hold the next wave back, else one offline node would stall the
 * command until its delivery timeout, which no report describes.
 */

/** One target of the command, in target order, with the times the emulator drew for it. */
export interface RampTarget {
  /** False: the invocation is never picked up (offline, refused); it takes no slot and acknowledges nothing. */
  readonly delivered: boolean;
  /** Sent → picked up by the agent (ms). */
  readonly pickupMs: number;
  /** Picked up → finished (ms), execution timeout already applied. */
  readonly runMs: number;
}

export interface RampSlot {
  /** When the agent picked the invocation up (InProgress); Infinity when never delivered. */
  readonly startMs: number;
  readonly endMs: number;
}

/** The number of targets sent in wave `w` (0-based): 1, 2, 4, … */
export const waveSize = (w: number): number => 2 ** w;

/** Waves whose release waits for the previous one: until MaxConcurrency targets were sent. */
export function gatedWaves(maxConcurrency: number): number {
  let waves = 0;
  let sent = 0;
  while (sent < maxConcurrency) {
    sent += waveSize(waves);
    waves++;
  }
  return waves;
}

/** Each target's start and end when the command is sent at `requestedMs` with this MaxConcurrency. */
export function rampSchedule(
  targets: readonly RampTarget[],
  options: { readonly requestedMs: number; readonly maxConcurrency: number },
): RampSlot[] {
  const { requestedMs } = options;
  const maxConcurrency = Math.max(1, Math.min(options.maxConcurrency, targets.length || 1));
  const gated = gatedWaves(maxConcurrency);
  // End times of the invocations in flight (at most MaxConcurrency of them).
  const slots: number[] = new Array(maxConcurrency).fill(requestedMs);
  const out: RampSlot[] = [];
  let release = requestedMs;
  let wave = 0;
  let inWave = 0;
  let ack = requestedMs;
  let used = 0;
  for (const target of targets) {
    if (inWave === waveSize(wave)) {
      // The wave is complete: while the ramp gates, the next one leaves when this one was acknowledged.
      if (wave + 1 < gated) release = Math.max(release, ack);
      wave++;
      inWave = 0;
    }
    inWave++;
    if (!target.delivered) {
      out.push({ startMs: Number.POSITIVE_INFINITY, endMs: Number.POSITIVE_INFINITY });
      continue;
    }
    // An untouched slot (still at requestedMs, which no end precedes) is the earliest free one; only
    // once every slot was used is the earliest-ending one searched (O(targets) when MaxConcurrency
    // covers every target, as with "100%").
    let slot = 0;
    if (used < slots.length) slot = used++;
    else for (let i = 1; i < slots.length; i++) if (slots[i]! < slots[slot]!) slot = i;
    const sentAt = Math.max(release, slots[slot]!);
    const startMs = sentAt + target.pickupMs;
    const endMs = startMs + target.runMs;
    slots[slot] = endMs;
    if (wave < gated) ack = Math.max(ack, startMs);
    out.push({ startMs, endMs });
  }
  return out;
}
