// The data shapes of the StudioApi contract (responses and events). Plain JSON
// values only — numbers, strings, arrays, objects — so the same values cross
// IPC, HTTP and WebSocket unchanged. Imported through contract.ts.
import type { StudioErrorInfo } from './errors.js';

export interface SystemInfo {
  version: string;
  /** process.platform of the machine running the engine. */
  platform: string;
  transport: 'desktop' | 'browser';
  /** Native open/save dialogs (desktop); in the browser the window asks for typed paths. */
  nativeDialogs: boolean;
  simd: string;
  threads: number;
  engine: { pid: number | null; restarts: number };
  sample: { name: string; path: string } | null;
}

export interface RecentModel {
  path: string;
  name: string;
  format: 'hf' | 'gguf';
  architecture: string;
  parameters: number;
  bytesOnDisk: number;
  /** Milliseconds since the epoch. */
  openedAt: number;
}

export interface TensorInfo {
  name: string;
  /** safetensors spelling (F32, BF16…) or ggml type (Q4_0, Q6_K…). */
  dtype: string;
  shape: number[];
  bytes: number;
  parameters: number;
  /** Transformer block index, or null outside the blocks (embeddings, head, final norm). */
  layer: number | null;
  /** Short role within its block for grouping and the heat map (q_proj, attn_q, ffn_down, norm…). */
  role: string;
  /** A linear weight inside a block: what recipes target by default. */
  linear: boolean;
  /**
   * A weight stored in a compressed layout (compressed-tensors, bitsandbytes 4-bit), shown as
   * the logical weight: `dtype` is a label ('int4 g32 sym', 'nf4 b64 dq', '2:4 F16'), `shape`
   * the logical [rows, cols], `bytes` the sum of these stored tensors.
   */
  parts?: { name: string; dtype: string; shape: number[]; bytes: number }[];
  /** Why the stored layout of this weight cannot be read (file, tensor and problem), if it cannot. */
  storedError?: string;
}

export interface DTypeShare {
  dtype: string;
  tensors: number;
  parameters: number;
  bytes: number;
}

export interface ModelSummary {
  modelId: string;
  /** The path the user opened (a folder or a .gguf file). */
  path: string;
  name: string;
  format: 'hf' | 'gguf';
  architecture: string;
  /** As the files spell it (LlamaForCausalLM, general.architecture…). */
  sourceArchitecture: string;
  config: {
    hiddenSize: number;
    intermediateSize: number;
    numLayers: number;
    numHeads: number;
    numKvHeads: number;
    headDim: number;
    vocabSize: number;
    maxPositions: number;
    ropeTheta: number;
    normEps: number;
    tieWordEmbeddings: boolean;
  };
  parameters: number;
  bytesOnDisk: number;
  files: { path: string; bytes: number }[];
  dtypeMix: DTypeShare[];
  /** Quantization recorded in the files themselves ('none' for plain float models). */
  quantization: string;
  /** The stored quantization in words ('compressed-tensors · pack-quantized int4 g32 sym'); absent when none. */
  storedQuantization?: string;
  /**
   * The tensors as the model computes with them, when that differs from `tensors`: each
   * compressed layer's stored parts folded into one logical weight (see TensorInfo.parts).
   */
  logicalTensors?: TensorInfo[];
  tokenizer: 'tokenizer.json' | 'gguf' | 'none';
  tensors: TensorInfo[];
}

/** Summary statistics of one tensor (native/stats). */
export interface TensorStatsRow {
  name: string;
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  absmax: number;
  /** Pearson kurtosis: 3 for a Gaussian, larger for heavy tails. */
  kurtosis: number;
  /** Share of values farther than 6σ from the mean. */
  outlierShare: number;
  zeros: number;
  nonfinite: number;
  /** The tensor could not be read (a malformed stored layout): the numbers above are 0. */
  error?: { message: string; file?: string; tensor?: string };
}

/** Equal-width bins over [lo, hi]. */
export interface Histogram {
  lo: number;
  hi: number;
  counts: number[];
}

export interface TensorDetail {
  modelId: string;
  tensor: string;
  stats: TensorStatsRow;
  histogram: Histogram;
  /**
   * absmax of each output channel (row), or of each group of `rowsPerPoint`
   * consecutive rows when the tensor has more rows than a chart can show;
   * null for 1-D tensors.
   */
  channelAbsmax: { values: number[]; rowsPerPoint: number } | null;
}

export interface RecipePresetInfo {
  id: string;
  label: string;
  summary: string;
  recipe: Record<string, unknown>;
}

export interface RecipeIssue {
  /** Where in the document ('quantize.group', 'rules.0.match'), '' for the whole recipe. */
  path: string;
  message: string;
}

export interface RecipeCheck {
  valid: boolean;
  issues: RecipeIssue[];
  /** The recipe with defaults filled in, when valid. */
  recipe: Record<string, unknown> | null;
  format: string | null;
  /** Present when valid. */
  estimate: {
    bytesBefore: number;
    bytesAfter: number;
    targetBitsBefore: number;
    targetBitsAfter: number;
    targets: number;
  } | null;
  tensors: { name: string; action: string; bitsAfter: number; note?: string }[];
  skipped: { name: string; reason: string }[];
}

// ---- jobs -------------------------------------------------------------------

export type JobKind = 'inspect' | 'compress' | 'export' | 'compare';
export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** Progress of a running job: overall and the item (tensor, layer) being worked on. */
export interface JobProgress {
  stage: string;
  /** Overall fraction 0..1. */
  fraction: number;
  item?: string;
  itemFraction?: number;
  itemsDone: number;
  itemsTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** Input bytes per second over the recent past (null until measurable). */
  bytesPerSecond: number | null;
  /** Seconds left at the current rate (null until measurable). */
  etaSeconds: number | null;
  elapsedSeconds: number;
}

export interface JobLogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  /** Milliseconds since the epoch. */
  time: number;
}

export interface InspectResult {
  modelId: string;
  rows: TensorStatsRow[];
}

/** Error of a tensor's reconstruction against the original. */
export interface TensorError {
  mse: number;
  /** 10·log10(Σw² / Σ(w − ŵ)²) in dB; null when the reconstruction is exact. */
  snrDb: number | null;
  maxAbsError: number;
  /** Share of weights outside the clipping range a range setting chose. */
  clippedShare: number;
}

export interface CompressedTensor {
  name: string;
  shape: number[];
  dtype: string;
  /** What was done, in words ("int4 g32 sym", "2:4", "copied"). */
  action: string;
  kind: 'quantized' | 'pruned' | 'pruned+quantized' | 'cast' | 'copied' | 'skipped';
  /** Why a target was left alone, or which fallback was taken. */
  note?: string;
  bytesBefore: number;
  bytesAfter: number;
  bitsPerWeight: number;
  error: TensorError | null;
  /** Share of zeros after pruning. */
  sparsity: number | null;
  /** The original's and the reconstruction's values on the same bins. */
  histBefore: Histogram | null;
  histAfter: Histogram | null;
  seconds: number;
}

export interface CompressResult {
  /** The compress job's id: what `export` names to write this output. */
  runId: string;
  modelId: string;
  modelName: string;
  source: string;
  /** The stored layout: compressed-tensors or bitsandbytes safetensors (a model folder), or GGUF. */
  format: string;
  recipeName: string | null;
  recipe: Record<string, unknown>;
  bytesBefore: number;
  bytesAfter: number;
  /** Over the tensors the recipe changed. */
  bitsPerWeightBefore: number;
  bitsPerWeightAfter: number;
  tensors: CompressedTensor[];
  skipped: { name: string; reason: string }[];
  seconds: number;
  /** A name to suggest when exporting ("stories260K-int4-g32"). */
  suggestedName: string;
}

export interface ExportResult {
  runId: string;
  path: string;
  format: string;
  bytes: number;
  files: number;
  seconds: number;
}

/** What each kind of job returns when it is done. */
export interface JobResults {
  inspect: InspectResult;
  compress: CompressResult;
  export: ExportResult;
  compare: CompareJobResult;
}

/** Items a job streams while it runs (rows appear in the table as they are computed). */
export interface JobItems {
  inspect: TensorStatsRow;
  compress: never;
  export: never;
  compare: CompareToken;
}

export interface JobInfo<K extends JobKind = JobKind> {
  jobId: string;
  kind: K;
  /**
   * Grows with every change of the job. Answers to calls and pushed events
   * travel separately (HTTP and WebSocket), so a client keeps the highest.
   */
  revision: number;
  /** One line for the window ("Inspect stories260K"). */
  title: string;
  status: JobStatus;
  /** Milliseconds since the epoch. */
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  progress: JobProgress | null;
  error: StudioErrorInfo | null;
  result: JobResults[K] | null;
  /** The last log lines (the full log streams as events). */
  log: JobLogEntry[];
}

export type JobEvent =
  | { type: 'job.update'; job: JobInfo }
  | { type: 'job.progress'; jobId: string; progress: JobProgress }
  | { type: 'job.log'; jobId: string; entry: JobLogEntry }
  | { type: 'job.item'; jobId: string; kind: JobKind; item: JobItems[JobKind] };

/** The engine process stopped unexpectedly and was restarted; open models and running jobs were lost. */
export interface EngineEvent {
  type: 'engine.restarted';
  message: string;
  /** Calls that were in flight when it stopped (they failed with ENGINE_CRASHED). */
  lostCalls: string[];
  restarts: number;
}

// ---- compare ---------------------------------------------------------------

/** One generated token of one side, streamed while the comparison generates. */
export interface CompareToken {
  side: 'a' | 'b';
  /** 0 for the first generated token. */
  index: number;
  id: number;
  /** The text this token completes ("" while a character is still incomplete). */
  text: string;
  /** ln p of the token under the model that chose it. */
  logprob: number;
}

/** Which model a side ran, and how. */
export interface CompareSide {
  /** A short name ("stories260K", "int4 g32 of stories260K"). */
  name: string;
  /** The folder or .gguf file loaded. */
  path: string;
  /** The stored layout (safetensors, compressed-tensors, bitsandbytes, gguf). */
  format: string;
  /** What its linear layers run, e.g. "dense F32 ×35; head: dense F32". */
  method: string;
  /** The LLM.int8() threshold when it ran as LLM.int8(). */
  llmInt8Threshold: number | null;
  /** Weight bytes as the engine holds them, and read per generated token. */
  sizeBytes: number;
  bytesPerToken: number;
  loadSeconds: number;
}

export interface CompareGeneration {
  tokens: { id: number; text: string; logprob: number }[];
  text: string;
  stopReason: 'eos' | 'max-tokens' | 'context';
  /** Prompt tokens per second (one batch) and generated tokens per second (decode steps). */
  promptTokensPerSecond: number;
  tokensPerSecond: number;
}

/** One model's score on the evaluation text. Numbers a run could not measure are null. */
export interface CompareScore {
  ppl: number | null;
  pplError: number | null;
  /** Tokens evaluated per second while scoring (batched, engine time). */
  tokensPerSecond: number | null;
}

export interface CompareLayer {
  layer: number;
  /** Mean cosine similarity of B's residual stream to A's after this block. */
  cosine: number;
  /** Σ‖b − a‖² / Σ‖a‖². */
  relMse: number;
}

/** B's LLM.int8() outlier columns in one block while scoring the text. */
export interface CompareOutlierLayer {
  layer: number;
  calls: number;
  outlierColumns: number;
  maxColumns: number;
  linears: { name: string; calls: number; outlierColumns: number; distinctColumns: number }[];
}

/** llama.cpp's --kl-divergence statistics of B against A, plus per-layer error. */
export interface CompareMetrics {
  ctx: number;
  method: 'chunks' | 'whole';
  chunks: number;
  /** Predictions scored. */
  scored: number;
  a: CompareScore;
  b: CompareScore;
  pplRatio: number | null;
  pplRatioError: number | null;
  /** KL(P_A ‖ P_B) per scored position. */
  kl: { mean: number | null; meanError: number | null; median: number | null; p90: number | null; p95: number | null; p99: number | null; max: number | null };
  /** Share of positions where both rank the same token first. */
  sameTop: number | null;
  sameTopError: number | null;
  /** p_B − p_A of the token that follows (llama.cpp's Δp): RMS and mean. */
  deltaP: { rms: number | null; rmsError: number | null; mean: number | null; meanError: number | null };
  /** RMS of p_B − p_A for A's most likely token. */
  deltaPTopRms: number | null;
  layers: CompareLayer[];
  /** Empty unless B ran as LLM.int8(). */
  outliers: CompareOutlierLayer[];
}

export interface CompareJobResult {
  a: CompareSide;
  b: CompareSide;
  prompt: string;
  /** The prompt's token ids (A's tokenizer; both models get the same ids). */
  promptTokens: number[];
  generation: { maxTokens: number; temperature: number; topK: number; topP: number; seed: number };
  /** Null when no prompt was given. */
  generations: { a: CompareGeneration; b: CompareGeneration; firstDifference: number } | null;
  /** The evaluation text: where it came from, its size, its tokens. */
  text: { source: 'sample' | 'file' | 'inline'; name: string; characters: number; tokens: number };
  metrics: CompareMetrics;
  seconds: number;
}

// ---- recipes ---------------------------------------------------------------

/**
 * One method's settings in a recipe: `method` names a method; the other keys
 * are that method's own, checked by the recipe service (electron/studio/recipes)
 * with messages that name the field.
 */
export type MethodSettings = { method: string } & Record<string, unknown>;

/** A recipe as a person writes it (defaults may be left out). */
export interface RecipeDocument {
  name?: string;
  description?: string;
  quantize?: MethodSettings;
  prune?: MethodSettings;
  targets?: string[];
  rules?: { match: string; quantize?: MethodSettings; prune?: MethodSettings }[];
}
