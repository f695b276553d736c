// Text generation on an engine session: the prompt in one batch, then one
// token at a time, each streamed out as soon as it is chosen, with the text it
// completes (characters split over byte tokens come out whole).
import { StudioError, cancelled } from '../../common/errors.js';
import type { JobOptions } from '../native/job.js';
import { EngineModel, EngineSession } from '../engine/model.js';
import type { TextTokenizer } from '../tokenizer/types.js';
import { TextStream } from '../tokenizer/text-stream.js';
import { Sampler, logProb, type SamplingOptions } from './sampling.js';

export interface GeneratedToken {
  /** 0 for the first generated token. */
  index: number;
  id: number;
  /** The text this token completes ("" while a character is still incomplete). */
  text: string;
  /** Natural log of the model's probability of this token (before temperature). */
  logprob: number;
}

export interface GenerateOptions extends SamplingOptions, JobOptions {
  /** At most this many new tokens (default 128). */
  maxTokens?: number;
  /** Stop when the model emits an end-of-sequence token (default true). */
  stopAtEos?: boolean;
  onToken?: (t: GeneratedToken) => void;
}

export interface GenerateResult {
  promptTokens: number[];
  tokens: number[];
  /** The generated text alone (not the prompt). */
  text: string;
  stopReason: 'eos' | 'max-tokens' | 'context';
  promptMs: number;
  generateMs: number;
  /** Prompt tokens per second (one batch) and decoding steps per second (one token each, engine time only). */
  promptTokensPerSecond: number;
  tokensPerSecond: number;
}

/**
 * Generates from `prompt` (text, encoded with the tokenizer's BOS rule, or ids).
 * Given a model, runs in a new session sized for prompt + maxTokens.
 */
export async function generate(target: EngineModel | EngineSession, tokenizer: TextTokenizer, prompt: string | number[], opts: GenerateOptions = {}): Promise<GenerateResult> {
  const maxTokens = opts.maxTokens ?? 128;
  if (!Number.isInteger(maxTokens) || maxTokens < 0) throw new StudioError('INVALID_ARGUMENT', `max tokens must be a whole number ≥ 0, got ${maxTokens}`);
  const promptTokens = typeof prompt === 'string' ? tokenizer.encode(prompt) : prompt.slice();
  if (promptTokens.length === 0) throw new StudioError('INVALID_ARGUMENT', 'the prompt is empty (and the tokenizer adds no BOS token)');
  const owned = target instanceof EngineModel;
  const model = owned ? target : target.model;
  const session = owned ? target.createSession(Math.min(model.config.maxPositions, promptTokens.length + maxTokens)) : target;
  let sampler: Sampler;
  try {
    sampler = new Sampler(opts);
  } catch (e) {
    throw new StudioError('INVALID_ARGUMENT', (e as Error).message);
  }
  try {
    if (session.position + promptTokens.length > session.context) {
      throw new StudioError('INVALID_ARGUMENT', `the prompt (${promptTokens.length} tokens) does not fit the context of ${session.context - session.position} tokens left`);
    }
    const { signal } = opts;
    const t0 = performance.now();
    let logits = (await session.eval(promptTokens, { signal })).logits;
    const t1 = performance.now();
    const stream = new TextStream(tokenizer, promptTokens);
    const tokens: number[] = [];
    let text = '';
    let stopReason: GenerateResult['stopReason'] = 'max-tokens';
    let decodeMs = 0, decodes = 0;
    while (tokens.length < maxTokens) {
      if (signal?.aborted) throw cancelled();
      const id = sampler.next(logits);
      if (opts.stopAtEos !== false && tokenizer.eosIds.includes(id)) { stopReason = 'eos'; break; }
      tokens.push(id);
      const piece = stream.push(id);
      text += piece;
      opts.onToken?.({ index: tokens.length - 1, id, text: piece, logprob: logProb(logits, id) });
      opts.onProgress?.(tokens.length, maxTokens, 'generating');
      if (tokens.length === maxTokens) break;
      if (session.position >= session.context) { stopReason = 'context'; break; }
      const d0 = performance.now();
      logits = (await session.eval([id], { signal })).logits;
      decodeMs += performance.now() - d0;
      decodes++;
    }
    // An incomplete character left at the end (never streamed) still ends the text.
    text += stream.flush();
    const t2 = performance.now();
    return {
      promptTokens, tokens, text, stopReason,
      promptMs: t1 - t0, generateMs: t2 - t1,
      promptTokensPerSecond: promptTokens.length / ((t1 - t0) / 1000),
      tokensPerSecond: decodes > 0 ? decodes / (decodeMs / 1000) : 0,
    };
  } finally {
    if (owned) session.dispose();
  }
}
