// Tokenizers stored in GGUF metadata (tokenizer.ggml.*), rebuilt as the
// tokenizer.json that Hugging Face would hold for the same vocabulary, and run
// by @huggingface/tokenizers:
//  - model "llama" (SentencePiece BPE): llama.cpp merges the adjacent pair whose
//    result has the highest score; as BPE that is merges ranked by the merged
//    piece's score (how transformers' SentencePiece converter builds them),
//    spaces as "▁" with a prefix space, byte fallback for unknown characters.
//  - model "gpt2" (byte-level BPE): the merges list as stored, and the split
//    regex llama.cpp uses for the file's tokenizer.ggml.pre.
import { StudioError } from '../../common/errors.js';
import { HfTokenizer } from './hf-tokenizer.js';

/** llama.cpp token types. */
const UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, BYTE = 6;

/** Split regexes of llama.cpp's pre-tokenizers (llama-vocab.cpp), by tokenizer.ggml.pre. */
const GPT2_REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
const LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

function splitThenBytes(regex: string): unknown {
  return {
    type: 'Sequence',
    pretokenizers: [
      { type: 'Split', pattern: { Regex: regex }, behavior: 'Isolated', invert: false },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
    ],
  };
}

const PRE_TOKENIZERS: Record<string, () => unknown> = {
  default: () => ({ type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true }),
  'gpt-2': () => ({ type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true }),
  'llama-bpe': () => splitThenBytes(LLAMA3_REGEX),
  llama3: () => splitThenBytes(LLAMA3_REGEX),
  qwen2: () => splitThenBytes(QWEN2_REGEX),
  smollm: () => ({ type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: true }, { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true }] }),
};
export const GGUF_PRE_TOKENIZERS = Object.keys(PRE_TOKENIZERS);

export type GgufMetadata = Record<string, unknown>;

function need<T>(m: GgufMetadata, key: string, check: (v: unknown) => v is T, file: string, what: string): T {
  const v = m[key];
  if (!check(v)) throw new StudioError('BAD_FILE', `${file}: ${key} is ${v === undefined ? 'missing' : 'not ' + what}`, { file });
  return v;
}
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');
const num = (m: GgufMetadata, key: string): number | undefined => (typeof m[key] === 'number' ? (m[key] as number) : undefined);
const bool = (m: GgufMetadata, key: string): boolean | undefined => (typeof m[key] === 'boolean' ? (m[key] as boolean) : undefined);

function addedTokens(tokens: string[], types: number[] | undefined) {
  const out: { id: number; content: string; special: boolean; normalized: boolean; single_word: boolean; lstrip: boolean; rstrip: boolean }[] = [];
  types?.forEach((t, id) => {
    if (t === CONTROL || t === UNKNOWN || t === USER_DEFINED) {
      out.push({ id, content: tokens[id], special: t !== USER_DEFINED, normalized: false, single_word: false, lstrip: false, rstrip: false });
    }
  });
  return out;
}

/** SentencePiece merges as transformers' converter derives them: every split of a piece into two pieces, best score first. */
function spmMerges(tokens: string[], scores: number[]): [string, string][] {
  const vocab = new Map<string, number>();
  tokens.forEach((t, id) => { if (!vocab.has(t)) vocab.set(t, id); });
  const merges: { l: string; r: string; score: number; order: number }[] = [];
  tokens.forEach((piece, id) => {
    const chars = Array.from(piece);
    const local: { l: string; r: string }[] = [];
    for (let i = 1; i < chars.length; i++) {
      const l = chars.slice(0, i).join(''), r = chars.slice(i).join('');
      if (vocab.has(l) && vocab.has(r)) local.push({ l, r });
    }
    local.sort((a, b) => vocab.get(a.l)! - vocab.get(b.l)! || vocab.get(a.r)! - vocab.get(b.r)!);
    for (const m of local) merges.push({ ...m, score: scores[id], order: merges.length });
  });
  merges.sort((a, b) => b.score - a.score || a.order - b.order);
  return merges.map((m) => [m.l, m.r]);
}

/** The tokenizer.json equivalent of a GGUF file's tokenizer.ggml.* metadata. */
export function tokenizerJsonFromGguf(m: GgufMetadata, file = 'model.gguf'): { json: unknown; addBos: boolean; addEos: boolean; bosId?: number; eosIds: number[] } {
  const model = need(m, 'tokenizer.ggml.model', (v): v is string => typeof v === 'string', file, 'a string');
  const tokens = need(m, 'tokenizer.ggml.tokens', isStrings, file, 'a list of strings');
  const types = isNumbers(m['tokenizer.ggml.token_type']) ? (m['tokenizer.ggml.token_type'] as number[]) : undefined;
  if (types && types.length !== tokens.length) throw new StudioError('BAD_FILE', `${file}: tokenizer.ggml.token_type has ${types.length} entries for ${tokens.length} tokens`, { file });
  const vocab = Object.fromEntries(tokens.map((t, id) => [t, id]).reverse()); // first id wins for duplicates
  const eosIds = ['tokenizer.ggml.eos_token_id', 'tokenizer.ggml.eot_token_id', 'tokenizer.ggml.eom_token_id']
    .map((k) => num(m, k)).filter((v): v is number => v !== undefined);
  const bosId = num(m, 'tokenizer.ggml.bos_token_id');
  const unkId = num(m, 'tokenizer.ggml.unknown_token_id');
  const common = { version: '1.0', truncation: null, padding: null, added_tokens: addedTokens(tokens, types) };

  if (model === 'llama') {
    const scores = need(m, 'tokenizer.ggml.scores', isNumbers, file, 'a list of numbers');
    if (scores.length !== tokens.length) throw new StudioError('BAD_FILE', `${file}: tokenizer.ggml.scores has ${scores.length} entries for ${tokens.length} tokens`, { file });
    const spacePrefix = bool(m, 'tokenizer.ggml.add_space_prefix') ?? true;
    const json = {
      ...common,
      normalizer: { type: 'Sequence', normalizers: [...(spacePrefix ? [{ type: 'Prepend', prepend: '▁' }] : []), { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] },
      pre_tokenizer: null,
      post_processor: null,
      decoder: {
        type: 'Sequence',
        decoders: [
          { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
          { type: 'ByteFallback' },
          { type: 'Fuse' },
          ...(spacePrefix ? [{ type: 'Strip', content: ' ', start: 1, stop: 0 }] : []),
        ],
      },
      model: {
        type: 'BPE', dropout: null, unk_token: unkId !== undefined ? tokens[unkId] : null, continuing_subword_prefix: null, end_of_word_suffix: null,
        fuse_unk: true, byte_fallback: types ? types.includes(BYTE) : true, ignore_merges: false, vocab, merges: spmMerges(tokens, scores),
      },
    };
    return { json, addBos: bool(m, 'tokenizer.ggml.add_bos_token') ?? true, addEos: bool(m, 'tokenizer.ggml.add_eos_token') ?? false, bosId, eosIds };
  }
  if (model === 'gpt2') {
    const merges = need(m, 'tokenizer.ggml.merges', isStrings, file, 'a list of strings');
    const pre = typeof m['tokenizer.ggml.pre'] === 'string' ? (m['tokenizer.ggml.pre'] as string) : 'default';
    const preTokenizer = PRE_TOKENIZERS[pre];
    if (!preTokenizer) throw new StudioError('UNSUPPORTED', `${file}: pre-tokenizer '${pre}' is not supported (${GGUF_PRE_TOKENIZERS.join(', ')})`, { file });
    const json = {
      ...common,
      normalizer: null,
      pre_tokenizer: preTokenizer(),
      post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
      decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
      model: {
        type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
        fuse_unk: false, byte_fallback: false, ignore_merges: pre === 'llama-bpe' || pre === 'llama3', vocab, merges,
      },
    };
    return { json, addBos: bool(m, 'tokenizer.ggml.add_bos_token') ?? false, addEos: bool(m, 'tokenizer.ggml.add_eos_token') ?? false, bosId, eosIds };
  }
  throw new StudioError('UNSUPPORTED', `${file}: tokenizer model '${model}' is not supported (llama, gpt2)`, { file });
}

export function ggufTokenizer(m: GgufMetadata, file = 'model.gguf', extraEos: number[] = []): HfTokenizer {
  const t = tokenizerJsonFromGguf(m, file);
  return new HfTokenizer(t.json, {}, { bosId: t.bosId, eosIds: [...t.eosIds, ...extraEos], addBos: t.addBos, addEos: t.addEos }, file);
}
