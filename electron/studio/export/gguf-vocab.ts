// tokenizer.json (+ tokenizer_config.json) → the vocabulary llama.cpp reads from
// GGUF metadata (tokenizer.ggml.*). Two families:
//  - SentencePiece-style BPE (Llama 1/2, Mistral, TinyLlama: "▁" spaces, byte
//    fallback) → model "llama": llama.cpp merges the adjacent pair whose result
//    has the highest score, so a token made by merge rank r gets score −r and the
//    merge order of tokenizer.json is kept.
//  - byte-level BPE (GPT-2, Llama 3, Qwen2, SmolLM) → model "gpt2" with the
//    merges list and a pre-tokenizer name.
import { StudioError } from '../../common/errors.js';

/** llama.cpp token types (llama_token_type). */
export const TokenType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

export interface GgufVocab {
  model: 'llama' | 'gpt2';
  /** llama.cpp pre-tokenizer name (gpt2 family only). */
  pre?: string;
  tokens: string[];
  scores?: number[];
  tokenTypes: number[];
  merges?: string[];
  bosId?: number;
  eosId?: number;
  unkId?: number;
  padId?: number;
  addBos: boolean;
  addEos: boolean;
}

interface TokenizerJson {
  model?: { type?: string; vocab?: Record<string, number>; merges?: (string | [string, string])[]; byte_fallback?: boolean; unk_token?: string | null };
  added_tokens?: { id: number; content: string; special?: boolean }[];
  normalizer?: unknown;
  pre_tokenizer?: unknown;
}

interface TokenizerConfig {
  bos_token?: string | { content: string } | null;
  eos_token?: string | { content: string } | null;
  unk_token?: string | { content: string } | null;
  pad_token?: string | { content: string } | null;
  add_bos_token?: boolean;
  add_eos_token?: boolean;
}

const tokenText = (t: TokenizerConfig[keyof TokenizerConfig]): string | undefined =>
  typeof t === 'string' ? t : t && typeof t === 'object' && 'content' in t ? t.content : undefined;

const mergeText = (m: string | [string, string]): [string, string] => {
  if (Array.isArray(m)) return m;
  const i = m.indexOf(' ', 1); // a merge part may itself be a space-free token; split at the first separator
  return [m.slice(0, i), m.slice(i + 1)];
};

function usesByteLevel(tok: TokenizerJson): boolean {
  return JSON.stringify(tok.pre_tokenizer ?? null).includes('"ByteLevel"');
}

/** llama.cpp's pre-tokenizer name, recognised from the split regex. */
function preTokenizerName(tok: TokenizerJson): string {
  const pre = JSON.stringify(tok.pre_tokenizer ?? null);
  if (pre.includes('\\\\p{N}{1,3}')) return pre.includes("(?i:'s|'t|'re|'ve|'m|'ll|'d)") ? 'llama-bpe' : 'qwen2';
  if (pre.includes('\\\\p{N}')) return 'qwen2';
  return 'default';
}

export function ggufVocabFromTokenizerJson(json: unknown, config: unknown, file = 'tokenizer.json'): GgufVocab {
  const tok = json as TokenizerJson;
  const cfg = (config ?? {}) as TokenizerConfig;
  if (!tok?.model || tok.model.type !== 'BPE' || !tok.model.vocab || !Array.isArray(tok.model.merges)) {
    throw new StudioError('UNSUPPORTED', `${file}: only BPE tokenizers can be written to GGUF (found ${tok?.model?.type ?? 'no model'})`, { file });
  }
  const vocab = tok.model.vocab;
  const added = tok.added_tokens ?? [];
  const size = Math.max(...Object.values(vocab), ...added.map((a) => a.id)) + 1;
  const tokens: string[] = new Array(size);
  for (const [text, id] of Object.entries(vocab)) tokens[id] = text;
  for (const a of added) tokens[a.id] = a.content;
  for (let i = 0; i < size; i++) if (tokens[i] === undefined) tokens[i] = `[PAD${i}]`;

  const special = new Set(added.filter((a) => a.special).map((a) => a.id));
  const byteLevel = usesByteLevel(tok);
  const merges = tok.model.merges.map(mergeText);
  const idOf = (t: string | undefined) => (t !== undefined && t in vocab ? vocab[t] : added.find((a) => a.content === t)?.id);

  const tokenTypes = tokens.map((t, id) => {
    if (t === tok.model!.unk_token) return TokenType.UNKNOWN;
    if (special.has(id)) return TokenType.CONTROL;
    if (!byteLevel && tok.model!.byte_fallback && /^<0x[0-9A-F]{2}>$/.test(t)) return TokenType.BYTE;
    if (t.startsWith('[PAD')) return TokenType.UNUSED;
    if (added.some((a) => a.id === id)) return TokenType.USER_DEFINED;
    return TokenType.NORMAL;
  });

  const common = {
    tokens,
    tokenTypes,
    bosId: idOf(tokenText(cfg.bos_token)),
    eosId: idOf(tokenText(cfg.eos_token)),
    unkId: idOf(tokenText(cfg.unk_token) ?? tok.model.unk_token ?? undefined),
    padId: idOf(tokenText(cfg.pad_token)),
    addEos: cfg.add_eos_token ?? false,
  };
  if (byteLevel) {
    return { model: 'gpt2', pre: preTokenizerName(tok), merges: merges.map(([a, b]) => `${a} ${b}`), addBos: cfg.add_bos_token ?? false, ...common };
  }
  // SentencePiece-style: score = −(rank of the merge that makes the token).
  const rankOf = new Map<string, number>();
  merges.forEach(([a, b], r) => { if (!rankOf.has(a + b)) rankOf.set(a + b, r); });
  const scores = tokens.map((t, id) => {
    if (tokenTypes[id] !== TokenType.NORMAL) return 0;
    const r = rankOf.get(t);
    return r !== undefined ? -r : -(merges.length + id); // pieces no merge makes never win a merge
  });
  return { model: 'llama', scores, addBos: cfg.add_bos_token ?? true, ...common };
}
