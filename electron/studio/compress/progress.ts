// Progress of a run by bytes of input processed: fraction, throughput, ETA.
import type { CompressProgress } from './types.js';

export class ProgressTracker {
  private readonly started = Date.now();
  bytesDone = 0;
  tensorsDone = 0;

  constructor(
    readonly bytesTotal: number,
    readonly tensorsTotal: number,
    private readonly sink?: (p: CompressProgress) => void,
  ) {}

  report(stage: CompressProgress['stage'], tensor?: string): void {
    if (!this.sink) return;
    const elapsed = (Date.now() - this.started) / 1000;
    const rate = elapsed > 0 ? this.bytesDone / elapsed : undefined;
    const left = this.bytesTotal - this.bytesDone;
    this.sink({
      stage,
      tensor,
      tensorsDone: this.tensorsDone,
      tensorsTotal: this.tensorsTotal,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      elapsedSeconds: elapsed,
      bytesPerSecond: rate,
      etaSeconds: rate && this.bytesDone > 0 ? left / rate : undefined,
    });
  }

  get elapsedSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }
}
