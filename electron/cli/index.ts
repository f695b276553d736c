#!/usr/bin/env node
// `mcs`: the studio's command line — the same services as the window, no window.
import { Command, CommanderError } from 'commander';
import { StudioError } from '../common/errors.js';
import { native } from '../studio/native/addon.js';
import { registerBench } from './commands/bench.js';
import { registerCompare } from './commands/compare.js';
import { registerEval } from './commands/eval.js';
import { registerExport } from './commands/export.js';
import { registerGenerate } from './commands/generate.js';
import { registerInfo } from './commands/info.js';
import { registerInspect } from './commands/inspect.js';
import { registerPrune } from './commands/prune.js';
import { registerQuantize } from './commands/quantize.js';
import { VERSION } from './version.js';

export function buildProgram(): Command {
  const program = new Command('mcs')
    .description('Model Compression Studio: inspect, quantize, prune, evaluate and export local LLMs')
    .version(VERSION)
    .option('--threads <n>', 'worker threads for native kernels (default: all cores)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.hook('preAction', (cmd) => {
    const threads = cmd.opts().threads;
    if (threads !== undefined) {
      const n = Number(threads);
      if (!Number.isInteger(n) || n < 1 || n > 1024) throw new StudioError('INVALID_ARGUMENT', `--threads must be an integer from 1 to 1024, got '${threads}'`);
      native().setThreads(n);
    }
  });
  registerInfo(program);
  registerInspect(program);
  registerQuantize(program);
  registerPrune(program);
  registerExport(program);
  registerGenerate(program);
  registerEval(program);
  registerCompare(program);
  registerBench(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; usage mistakes are the user's (1).
      process.exitCode = e.exitCode === 0 ? 0 : 1;
      return;
    }
    const err = e instanceof StudioError ? e : new StudioError('INTERNAL', String(e));
    process.stderr.write(`mcs: ${err.message}\n`);
    process.exitCode = err.code === 'INTERNAL' ? 2 : 1;
  }
}

void main(process.argv);
