// `mcs export`: a model to a GGUF file llama.cpp runs (F32, F16 or a legacy
// block type, with per-tensor fallback where rows do not fit the block), or to
// a safetensors folder in another float type.
import type { Command } from 'commander';
import { StudioError } from '../../common/errors.js';
import { ggufExportRecipe } from '../../studio/compress/index.js';
import { ggufTypes, parseRecipe, type GgufExportType } from '../../studio/recipes/index.js';
import { withCommonOptions } from '../command.js';
import { runCompressCommand, type CompressFlags } from '../compress-output.js';
import { MODEL_ARG_HELP } from '../model-arg.js';

interface ExportFlags extends CompressFlags {
  format?: string;
  type?: string;
}

function exportRecipe(f: ExportFlags) {
  const format = f.format ?? (f.output.toLowerCase().endsWith('.gguf') ? 'gguf' : undefined);
  const type = (f.type ?? 'f16').toLowerCase();
  if (format === 'gguf') {
    if (!(ggufTypes as readonly string[]).includes(type)) throw new StudioError('INVALID_ARGUMENT', `--type must be one of ${ggufTypes.join(', ')} for GGUF, got '${f.type}'`);
    if (!f.output.toLowerCase().endsWith('.gguf')) throw new StudioError('INVALID_ARGUMENT', `a GGUF output should be named *.gguf, got '${f.output}'`);
    return ggufExportRecipe(type as GgufExportType);
  }
  if (format === 'safetensors') {
    if (!['f32', 'f16', 'bf16'].includes(type)) throw new StudioError('INVALID_ARGUMENT', `--type must be f32, f16 or bf16 for safetensors, got '${f.type}'`);
    return parseRecipe({ name: `safetensors ${type.toUpperCase()}`, quantize: { method: 'keep', dtype: type }, targets: ['.'] });
  }
  throw new StudioError('INVALID_ARGUMENT', `--format must be gguf or safetensors${format ? `, got '${format}'` : ''}`);
}

export function registerExport(program: Command): void {
  withCommonOptions(
    program
      .command('export')
      .description('write a model as GGUF (llama.cpp) or as a safetensors folder in another float type')
      .argument('[model]', MODEL_ARG_HELP)
      .requiredOption('-o, --output <path>', 'FILE.gguf, or a folder for safetensors')
      .option('--format <f>', 'gguf | safetensors (default: gguf for *.gguf outputs)')
      .option('--type <t>', `GGUF: ${ggufTypes.join(' | ')}; safetensors: f32 | f16 | bf16 (default f16)`)
      .option('--overwrite', 'replace the output if it exists'),
  ).action((model: string | undefined, flags: ExportFlags) => runCompressCommand(model, flags, () => exportRecipe(flags)));
}
