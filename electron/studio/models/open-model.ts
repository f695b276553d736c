// openModel(path): a Hugging Face folder or a .gguf file → OpenedModel.
// Headers only; tensor data stays on disk (see ModelTensors).
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { StudioError } from '../../common/errors.js';
import { openGgufModel } from './gguf-model.js';
import { openHfFolder } from './hf-folder.js';
import type { OpenedModel } from './types.js';

export async function openModel(path: string): Promise<OpenedModel> {
  const p = resolve(path);
  if (!existsSync(p)) throw new StudioError('NOT_FOUND', `${p}: no such file or folder`, { file: p });
  const st = statSync(p);
  if (st.isDirectory()) return openHfFolder(p);
  if (st.isFile() && p.toLowerCase().endsWith('.gguf')) return openGgufModel(p);
  if (st.isFile() && p.toLowerCase().endsWith('.safetensors')) {
    throw new StudioError('INVALID_ARGUMENT', `${p}: open the model's folder (with config.json), not the safetensors file alone`, { file: p });
  }
  throw new StudioError('UNSUPPORTED', `${p}: not a model the studio opens (a Hugging Face folder or a .gguf file)`, { file: p });
}
