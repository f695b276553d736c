// `mcs prune`: magnitude (unstructured) or N:M pruning, written as a
// compressed-tensors folder (2:4 in the sparse-24 bitmask layout).
import type { Command } from 'commander';
import { StudioError } from '../../common/errors.js';
import { parseNmPattern } from '../../studio/prune/nm.js';
import { parseRecipe } from '../../studio/recipes/index.js';
import { collect, parseFloatOption, withCommonOptions } from '../command.js';
import { runCompressCommand, type CompressFlags } from '../compress-output.js';
import { MODEL_ARG_HELP } from '../model-arg.js';

interface PruneFlags extends CompressFlags {
  method?: string;
  sparsity?: number;
  scope?: string;
  pattern?: string;
  skip?: string[];
}

function pruneRecipe(f: PruneFlags) {
  if (f.pattern !== undefined) {
    if (f.sparsity !== undefined) throw new StudioError('INVALID_ARGUMENT', 'give --sparsity or --pattern, not both');
    const p = parseNmPattern(f.pattern);
    if (!p || p.n >= p.m) throw new StudioError('INVALID_ARGUMENT', `--pattern must be N:M with N < M, e.g. 2:4, got '${f.pattern}'`);
    return { prune: { method: 'nm', n: p.n, m: p.m } };
  }
  if ((f.method ?? 'magnitude') !== 'magnitude') throw new StudioError('INVALID_ARGUMENT', `--method must be magnitude, got '${f.method}'`);
  if (f.sparsity === undefined) throw new StudioError('INVALID_ARGUMENT', 'give --sparsity S (0–0.99) or --pattern N:M');
  return { prune: { method: 'magnitude', sparsity: f.sparsity, scope: f.scope ?? 'tensor' } };
}

export function registerPrune(program: Command): void {
  withCommonOptions(
    program
      .command('prune')
      .description('prune weights by magnitude (unstructured or N:M) and write a safetensors model folder')
      .argument('[model]', MODEL_ARG_HELP)
      .requiredOption('-o, --output <folder>', 'the model folder to write')
      .option('--method <m>', 'magnitude (default)')
      .option('--sparsity <s>', 'share of weights to zero, 0–0.99', parseFloatOption('--sparsity', 0, 0.99))
      .option('--scope <s>', 'tensor (each tensor to the target) | global (one threshold for all)')
      .option('--pattern <n:m>', 'semi-structured N:M sparsity, e.g. 2:4 or 4:8')
      .option('--skip <regex>', 'leave tensors whose name matches unchanged (repeatable)', collect)
      .option('--overwrite', 'replace the output folder if it exists'),
  ).action((model: string | undefined, flags: PruneFlags) =>
    runCompressCommand(model, flags, () => {
      const rules = (flags.skip ?? []).map((match) => ({ match, prune: { method: 'none' } }));
      return parseRecipe({ ...pruneRecipe(flags), rules }, 'flags');
    }),
  );
}
