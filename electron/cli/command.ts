// The shape every `mcs` subcommand shares: parse options, run the service with
// progress and Ctrl-C cancel, then print either one JSON document or text.
import type { Command } from 'commander';
import { StudioError } from '../common/errors.js';
import { ProgressBar, exitCodeFor } from './output.js';

export interface CommandContext {
  json: boolean;
  signal: AbortSignal;
  progress: ProgressBar;
  /** Human-readable notes (warnings, fallbacks) → stderr; never mixed into JSON stdout. */
  note(message: string): void;
}

export interface CommandSpec<R> {
  run(ctx: CommandContext): Promise<R>;
  /** Text for a person; the JSON form is the result itself. */
  print(result: R): string;
}

/**
 * Runs a command body and sets the exit code. Errors: message on stderr and,
 * with --json, {"error": {...}} on stdout so scripts always get a document.
 */
export async function execute<R>(json: boolean, quiet: boolean, spec: CommandSpec<R>): Promise<void> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\ncancelling… (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const progress = new ProgressBar(!json && !quiet);
  const ctx: CommandContext = {
    json,
    signal: controller.signal,
    progress,
    note: (m) => { if (!quiet) { progress.done(); process.stderr.write(`${m}\n`); } },
  };
  try {
    const result = await spec.run(ctx);
    progress.done();
    process.stdout.write(json ? JSON.stringify(result, null, 2) + '\n' : spec.print(result) + '\n');
    process.exitCode = 0;
  } catch (e) {
    progress.done();
    const err = e instanceof StudioError ? e : new StudioError('INTERNAL', (e as Error)?.stack ?? String(e));
    process.stderr.write(`mcs: ${err.code === 'INTERNAL' ? 'internal error: ' : ''}${err.message}\n`);
    if (json) process.stdout.write(JSON.stringify({ error: err.toJSON() }, null, 2) + '\n');
    process.exitCode = controller.signal.aborted ? 130 : exitCodeFor(e);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Options every command takes. */
export function withCommonOptions(cmd: Command): Command {
  return cmd.option('--json', 'print one JSON document on stdout').option('-q, --quiet', 'no progress or notes on stderr');
}

export function parseIntOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new StudioError('INVALID_ARGUMENT', `${name} must be an integer from ${min} to ${max}, got '${value}'`);
    return n;
  };
}

export function parseFloatOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) throw new StudioError('INVALID_ARGUMENT', `${name} must be a number from ${min} to ${max}, got '${value}'`);
    return n;
  };
}

/** Repeatable option collector (e.g. --skip A --skip B). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
