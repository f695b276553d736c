// The tokenizer of an opened model: its tokenizer.json (+ tokenizer_config.json)
// or the vocabulary in its GGUF metadata.
import { StudioError } from '../../common/errors.js';
import { readJsonFile } from '../models/json-file.js';
import type { OpenedModel } from '../models/types.js';
import { ggufTokenizer } from './gguf-tokenizer.js';
import { HfTokenizer } from './hf-tokenizer.js';
import type { TextTokenizer } from './types.js';

export function loadTokenizer(model: OpenedModel): TextTokenizer {
  const src = model.tokenizer;
  const eos = model.config.eosTokenIds;
  switch (src.kind) {
    case 'tokenizer.json': {
      const json = readJsonFile(src.path);
      const config = src.configPath ? readJsonFile(src.configPath) : {};
      return new HfTokenizer(json, config, { eosIds: eos, bosId: undefined }, src.path);
    }
    case 'gguf':
      return ggufTokenizer(model.metadata, src.path, eos);
    default:
      throw new StudioError('NOT_FOUND', `${model.path}: the model has no tokenizer (no tokenizer.json, no tokenizer.ggml.* metadata)`, { file: model.path });
  }
}

export type { TextTokenizer } from './types.js';
export { HfTokenizer } from './hf-tokenizer.js';
export { ggufTokenizer, tokenizerJsonFromGguf } from './gguf-tokenizer.js';
export { TextStream } from './text-stream.js';
