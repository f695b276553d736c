// How the command line talks: one JSON document on stdout with --json (what a
// script parses); otherwise readable tables on stdout and a progress bar on
// stderr. Exit codes: 0 success, 1 the user's input is at fault, 2 our fault.
import { StudioError, type StudioErrorCode } from '../common/errors.js';

const USER_ERRORS: StudioErrorCode[] = ['BAD_FILE', 'INVALID_ARGUMENT', 'NOT_FOUND', 'ALREADY_EXISTS', 'UNSUPPORTED', 'CANCELLED'];

export function exitCodeFor(e: unknown): 1 | 2 {
  return e instanceof StudioError && USER_ERRORS.includes(e.code) ? 1 : 2;
}

export interface Column<T> {
  header: string;
  value: (row: T) => string | number;
  align?: 'left' | 'right';
}

/** A plain text table: headers, a rule, padded columns. */
export function formatTable<T>(rows: T[], columns: Column<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => String(c.value(r))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i].length)));
  const pad = (s: string, i: number) => {
    const right = columns[i].align === 'right' || (columns[i].align === undefined && /^-?[\d.,]+( ?[a-zA-Z%]+)?$/.test(s));
    return right ? s.padStart(widths[i]) : s.padEnd(widths[i]);
  };
  const line = (row: string[]) => row.map(pad).join('  ').trimEnd();
  return [line(columns.map((c) => c.header)), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${n >= 100 || i === 0 ? n.toFixed(0) : n.toFixed(n >= 10 ? 1 : 2)} ${units[i]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const m = Math.floor(seconds / 60), s = Math.round(seconds % 60);
  return m < 60 ? `${m}m${String(s).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * Progress on stderr: a redrawn bar on a terminal, a line every few seconds
 * otherwise (logs), nothing with --json or --quiet.
 */
export class ProgressBar {
  private started = Date.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly enabled: boolean, private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(fraction: number, label: string): void {
    if (!this.enabled) return;
    const now = Date.now();
    const tty = this.stream.isTTY;
    if (now - this.lastDraw < (tty ? 100 : 5000) && fraction < 1) return;
    this.lastDraw = now;
    const elapsed = (now - this.started) / 1000;
    const eta = fraction > 0.01 ? (elapsed * (1 - fraction)) / fraction : NaN;
    const pct = `${(fraction * 100).toFixed(0).padStart(3)}%`;
    const tail = fraction < 1 ? ` ${formatDuration(eta)} left` : ` ${formatDuration(elapsed)}`;
    if (tty) {
      const width = 24, full = Math.round(fraction * width);
      const bar = '█'.repeat(full) + '░'.repeat(width - full);
      const cols = this.stream.columns || 100;
      this.stream.write(`\r${`${bar} ${pct} ${label}${tail}`.slice(0, cols - 1)}\x1b[K`);
      this.drawn = true;
    } else {
      this.stream.write(`${pct} ${label}${tail}\n`);
    }
  }

  done(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
