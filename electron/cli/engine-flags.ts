// Flags shared by the commands that run models (generate, eval, compare):
// the linear method (LLM.int8()), the evaluation text, perplexity settings.
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { StudioError } from '../common/errors.js';
import type { EngineLoadOptions } from '../studio/engine/model.js';
import type { PerplexityMethod } from '../studio/evaluate/windows.js';
import type { CommandContext } from './command.js';
import { parseFloatOption, parseIntOption } from './command.js';

export interface Int8Flags {
  llmInt8?: boolean;
  threshold?: number;
}

export interface PerplexityFlags {
  text?: string;
  ctx?: number;
  method?: string;
  chunks?: number;
}

export function withInt8Options(cmd: Command, which: string): Command {
  return cmd
    .option('--llm-int8', `run ${which} linear layers as LLM.int8() (int8 with F32 outlier columns)`)
    .option('--threshold <t>', 'LLM.int8() outlier threshold (default 6.0)', parseFloatOption('--threshold', 0, 1e6));
}

export function withPerplexityOptions(cmd: Command): Command {
  return cmd
    .option('--ctx <n>', 'tokens per chunk (default 512, at most the model context)', parseIntOption('--ctx', 2, 1 << 20))
    .option('--method <m>', "chunks (llama.cpp: second half of each chunk scored) | whole (every token, half-overlapping windows)")
    .option('--chunks <n>', 'at most this many chunks', parseIntOption('--chunks', 1, 1 << 30));
}

export function loadOptions(f: Int8Flags, ctx: CommandContext): EngineLoadOptions {
  if (f.threshold !== undefined && !f.llmInt8) throw new StudioError('INVALID_ARGUMENT', '--threshold applies with --llm-int8 only');
  return f.llmInt8 ? { method: 'llm_int8', threshold: f.threshold, signal: ctx.signal } : { signal: ctx.signal };
}

export function perplexityMethod(m: string | undefined): PerplexityMethod {
  if (m === undefined || m === 'chunks' || m === 'whole') return m ?? 'chunks';
  throw new StudioError('INVALID_ARGUMENT', `--method must be chunks or whole, got '${m}'`);
}

/** The evaluation text, read whole (UTF-8). */
export function readTextFile(path: string): string {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new StudioError('NOT_FOUND', `${path}: no such text file`, { file: path });
  }
  if (size > 1 << 30) throw new StudioError('INVALID_ARGUMENT', `${path}: ${size} bytes is more text than an evaluation takes (at most 1 GiB)`, { file: path });
  return readFileSync(path, 'utf8');
}

export const fmt = (x: number, digits = 4): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
export const pct = (x: number, digits = 2): string => `${(100 * x).toFixed(digits)}%`;
