// MODEL arguments: a path, or the bundled sample when omitted.
import { openModel } from '../studio/models/index.js';
import type { OpenedModel } from '../studio/models/types.js';
import { sampleModelPath } from '../studio/resources.js';

export const MODEL_ARG_HELP = 'a Hugging Face model folder or a .gguf file (default: the bundled sample)';

export function openModelArg(path: string | undefined): Promise<OpenedModel> {
  return openModel(path ?? sampleModelPath());
}
