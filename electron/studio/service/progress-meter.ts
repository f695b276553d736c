// Turns what a job says it has done (items, bytes) into what a person wants to
// see: overall fraction, throughput and time left. Throughput is measured over
// a sliding window so the ETA follows the current rate, not the start-up cost.
import type { JobProgress } from '../../common/contract.js';

export interface ProgressUpdate {
  stage?: string;
  /** The item being worked on; starting a new item resets itemFraction. */
  item?: string;
  itemFraction?: number;
  itemsDone?: number;
  itemsTotal?: number;
  bytesDone?: number;
  bytesTotal?: number;
}

const WINDOW_MS = 5_000;
/** Below this much measured time a rate is noise, so no ETA is shown. */
const MIN_SPAN_MS = 300;

export class ProgressMeter {
  private readonly startedAt: number;
  private state: Required<Omit<ProgressUpdate, 'item'>> & { item?: string };
  /** Whether the job reports how far into the current item it is. */
  private itemFractionKnown = false;
  private samples: { t: number; bytes: number; items: number }[] = [];

  constructor(private readonly now: () => number = Date.now) {
    this.startedAt = now();
    this.state = { stage: 'starting', itemFraction: 0, itemsDone: 0, itemsTotal: 0, bytesDone: 0, bytesTotal: 0 };
  }

  update(u: ProgressUpdate): void {
    const s = this.state;
    if (u.item !== undefined && u.item !== s.item) {
      s.itemFraction = 0;
      this.itemFractionKnown = false;
    }
    if (u.itemFraction !== undefined) this.itemFractionKnown = true;
    for (const [k, v] of Object.entries(u)) if (v !== undefined) (s as Record<string, unknown>)[k] = v;
    s.itemFraction = clamp01(s.itemFraction);
    const t = this.now();
    this.samples.push({ t, bytes: s.bytesDone, items: s.itemsDone + s.itemFraction });
    while (this.samples.length > 2 && t - this.samples[1].t > WINDOW_MS) this.samples.shift();
  }

  /** Overall fraction: by bytes when the job knows them, else by items. */
  fraction(): number {
    const s = this.state;
    if (s.bytesTotal > 0) return clamp01(s.bytesDone / s.bytesTotal);
    if (s.itemsTotal > 0) return clamp01((s.itemsDone + s.itemFraction) / s.itemsTotal);
    return 0;
  }

  snapshot(): JobProgress {
    const s = this.state;
    const t = this.now();
    const { bytesPerSecond, etaSeconds } = this.rate(t);
    return {
      stage: s.stage,
      fraction: this.fraction(),
      item: s.item,
      itemFraction: s.item !== undefined && this.itemFractionKnown ? s.itemFraction : undefined,
      itemsDone: s.itemsDone,
      itemsTotal: s.itemsTotal,
      bytesDone: s.bytesDone,
      bytesTotal: s.bytesTotal,
      bytesPerSecond,
      etaSeconds,
      elapsedSeconds: (t - this.startedAt) / 1000,
    };
  }

  private rate(t: number): { bytesPerSecond: number | null; etaSeconds: number | null } {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last) return { bytesPerSecond: null, etaSeconds: null };
    // Over the window; early on (one sample) over the whole job so far.
    const span = last.t - first.t >= MIN_SPAN_MS ? last.t - first.t : last.t - this.startedAt;
    if (span < MIN_SPAN_MS) return { bytesPerSecond: null, etaSeconds: null };
    const base = last.t - first.t >= MIN_SPAN_MS ? first : { bytes: 0, items: 0 };
    const s = this.state;
    const bytesPerSecond = s.bytesTotal > 0 ? ((last.bytes - base.bytes) * 1000) / span : null;
    let etaSeconds: number | null = null;
    if (bytesPerSecond !== null && bytesPerSecond > 0) {
      etaSeconds = Math.max(0, (s.bytesTotal - s.bytesDone) / bytesPerSecond - (t - last.t) / 1000);
    } else if (s.bytesTotal === 0 && s.itemsTotal > 0) {
      const itemsPerSecond = ((last.items - base.items) * 1000) / span;
      if (itemsPerSecond > 0) etaSeconds = Math.max(0, (s.itemsTotal - last.items) / itemsPerSecond - (t - last.t) / 1000);
    }
    return { bytesPerSecond, etaSeconds };
  }
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}
