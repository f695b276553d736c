// StudioApi: the one contract between the window and the engine. Every call is
// a request schema (zod, validated wherever a request arrives: the Electron main
// process and the browser-mode server), a response type (`StudioResponses`),
// and events pushed while jobs run. The renderer, the preload, both transports,
// the engine process and the tests import this file; it imports nothing from
// Node or the DOM.
//
// To add a call: a schema in `studioCalls`, its response in `StudioResponses`
// (the compiler checks both lists match), its path rule in
// electron/studio/shell/path-policy.ts, and its handler in the gateway (shell
// calls) or the engine service (everything else).
import { z } from 'zod';
import type { StudioErrorInfo } from './errors.js';
import type * as T from './contract-types.js';

export type * from './contract-types.js';

const path = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'a path cannot contain NUL');
const id = z.string().min(1).max(128).regex(/^[A-Za-z0-9_.:-]+$/, 'not a valid id');
const tensorName = z.string().min(1).max(512);
/** Recipes are validated by the recipe service (its own schema, with messages that name the field). */
const recipeDoc = z.record(z.string(), z.unknown());

/** A model a comparison runs, optionally with its linear layers as LLM.int8() (outlier threshold, default 6). */
const llmInt8 = z.strictObject({ threshold: z.number().gt(0).max(1e4).default(6) }).optional();
const compareModel = z.discriminatedUnion('source', [
  /** A model open in the studio. */
  z.strictObject({ source: z.literal('open'), modelId: id, llmInt8 }),
  /** A folder or .gguf file the user chose. */
  z.strictObject({ source: z.literal('path'), path, llmInt8 }),
  /** The output of a finished compress job, still in the engine's work folder. */
  z.strictObject({ source: z.literal('run'), runId: id, llmInt8 }),
]);
/** The text both models are scored on. */
const evaluationText = z.discriminatedUnion('source', [
  /** The bundled TinyStories excerpt (in-domain for the sample model). */
  z.strictObject({ source: z.literal('sample') }),
  z.strictObject({ source: z.literal('file'), path }),
  z.strictObject({ source: z.literal('inline'), text: z.string().min(1).max(4 << 20) }),
]);
const generationSettings = z.strictObject({
  maxTokens: z.number().int().min(1).max(4096).default(64),
  /** 0: greedy. */
  temperature: z.number().min(0).max(10).default(0),
  topK: z.number().int().min(0).max(1 << 20).default(0),
  topP: z.number().gt(0).max(1).default(1),
  seed: z.number().int().min(0).max(0xffffffff).default(0),
});

export const studioCalls = {
  /** Versions, transport, CPU features, the bundled sample. */
  'system.info': z.strictObject({}),

  /** Opens a Hugging Face folder or a .gguf file: headers only, tensors stay on disk. */
  'models.open': z.strictObject({ path }),
  /** Opens the sample model bundled with the app. */
  'models.openSample': z.strictObject({}),
  'models.recent': z.strictObject({}),
  'models.forgetRecent': z.strictObject({ path }),
  'models.close': z.strictObject({ modelId: id }),
  /** Histogram and per-channel absmax of one tensor, for the inspector's charts. */
  'models.tensorDetail': z.strictObject({
    modelId: id,
    tensor: tensorName,
    bins: z.number().int().min(8).max(1024).optional(),
  }),

  'recipes.presets': z.strictObject({}),
  /** Validates a recipe against a model: errors, per-tensor plan, size estimate. */
  'recipes.check': z.strictObject({ modelId: id, recipe: recipeDoc }),
  'recipes.load': z.strictObject({ path }),
  'recipes.save': z.strictObject({ path, recipe: recipeDoc }),

  'jobs.start': z.discriminatedUnion('kind', [
    /** Statistics of every tensor of an open model (the inspector's table and heat map). */
    z.strictObject({ kind: z.literal('inspect'), modelId: id }),
    /** Applies a recipe to an open model; the output waits in the engine's work folder until exported. */
    z.strictObject({ kind: z.literal('compress'), modelId: id, recipe: recipeDoc }),
    /** Writes the output of a finished compress job (`runId` = its jobId) to a path the user chose. */
    z.strictObject({ kind: z.literal('export'), runId: id, path, overwrite: z.boolean().default(false) }),
    /**
     * Model B against model A: both generate from the prompt (tokens stream as
     * job items), then both score the text (perplexity, KL, top-1, Δp, per-layer error).
     */
    z.strictObject({
      kind: z.literal('compare'),
      a: compareModel,
      b: compareModel,
      /** '' skips the generations. */
      prompt: z.string().max(16384).default(''),
      generation: generationSettings.prefault({}),
      text: evaluationText.default({ source: 'sample' }),
      /** Tokens per chunk (default 512, at most either model's context). */
      ctx: z.number().int().min(8).max(1 << 20).optional(),
      /** At most this many chunks of the text. */
      maxChunks: z.number().int().min(1).max(1 << 20).optional(),
      /** Compare hidden states layer by layer. */
      layers: z.boolean().default(true),
    }),
  ]),
  'jobs.cancel': z.strictObject({ jobId: id }),
  'jobs.get': z.strictObject({ jobId: id }),
  'jobs.list': z.strictObject({}),

  /** Desktop only (`SystemInfo.nativeDialogs`): native open/save dialogs. */
  'dialogs.openModel': z.strictObject({ kind: z.enum(['file', 'folder']) }),
  'dialogs.openFile': z.strictObject({ purpose: z.enum(['recipe', 'text']) }),
  'dialogs.saveFile': z.strictObject({
    purpose: z.enum(['recipe', 'export']),
    defaultName: z.string().min(1).max(255).optional(),
  }),
  /** Desktop only: shows a file the user chose in the system's file manager. */
  'shell.reveal': z.strictObject({ path }),
} as const;

export type StudioCallName = keyof typeof studioCalls;
/** What a caller sends (defaults may be left out). */
export type StudioRequestInput<N extends StudioCallName> = z.input<(typeof studioCalls)[N]>;
/** What a handler receives after validation. */
export type StudioRequest<N extends StudioCallName> = z.output<(typeof studioCalls)[N]>;
export type JobStartRequest = StudioRequest<'jobs.start'>;

/** The response of each call. */
export interface StudioResponses {
  'system.info': T.SystemInfo;
  'models.open': T.ModelSummary;
  'models.openSample': T.ModelSummary;
  'models.recent': T.RecentModel[];
  'models.forgetRecent': T.RecentModel[];
  'models.close': { closed: boolean };
  'models.tensorDetail': T.TensorDetail;
  'recipes.presets': T.RecipePresetInfo[];
  'recipes.check': T.RecipeCheck;
  'recipes.load': { recipe: Record<string, unknown> };
  'recipes.save': { path: string };
  'jobs.start': T.JobInfo;
  'jobs.cancel': T.JobInfo;
  'jobs.get': T.JobInfo;
  'jobs.list': T.JobInfo[];
  'dialogs.openModel': { path: string | null };
  'dialogs.openFile': { path: string | null };
  'dialogs.saveFile': { path: string | null };
  'shell.reveal': { shown: boolean };
}

// Compile-time check that the schemas and the responses name the same calls.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const contractComplete: Same<StudioCallName, keyof StudioResponses> = true;

export type StudioResponse<N extends StudioCallName> = StudioResponses[N];

export const studioCallNames = Object.keys(studioCalls) as StudioCallName[];

export function isStudioCallName(name: unknown): name is StudioCallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(studioCalls, name);
}

/** Calls answered by the shell (main process / server) itself; the rest run in the engine process. */
export const shellCalls = [
  'models.recent',
  'models.forgetRecent',
  'dialogs.openModel',
  'dialogs.openFile',
  'dialogs.saveFile',
  'shell.reveal',
] as const satisfies readonly StudioCallName[];
export type ShellCallName = (typeof shellCalls)[number];
export type EngineCallName = Exclude<StudioCallName, ShellCallName>;

/** Result envelope of every call on the wire: the response, or a StudioError as data. */
export type StudioResult<T> = { ok: true; value: T } | { ok: false; error: StudioErrorInfo };

/** Events pushed to the window: job progress, logs, results, and the engine's health. */
export type StudioEvent = T.JobEvent | T.EngineEvent;

/**
 * The typed face the renderer programs against. Both transports (IPC and HTTP)
 * implement it; errors reject as StudioError.
 */
export interface StudioApi {
  call<N extends StudioCallName>(name: N, request: StudioRequestInput<N>): Promise<StudioResponse<N>>;
  onEvent(listener: (event: StudioEvent) => void): () => void;
}

/**
 * What the desktop preload exposes as `window.studio` (contextBridge): calls by
 * name, events, and the path of a file dropped on the window (desktop only —
 * browsers do not reveal where a dropped file lives).
 */
export interface StudioBridge {
  invoke(name: StudioCallName, request: unknown): Promise<StudioResult<unknown>>;
  onEvent(listener: (event: StudioEvent) => void): () => void;
  /** `file` is a DOM File; returns '' when the file has no path on disk. */
  pathForFile(file: object): string;
}

/** IPC channel of a call (one `ipcMain.handle` each), of pushed events, and of dropped-file grants. */
export const ipcChannel = (name: StudioCallName): string => `studio:${name}`;
export const IPC_EVENT_CHANNEL = 'studio:event';
export const IPC_DROP_CHANNEL = 'studio:dropped-path';

/** Browser mode: POST `${HTTP_API_PREFIX}<call name>` with the JSON request; WebSocket at HTTP_EVENTS_PATH. */
export const HTTP_API_PREFIX = '/api/';
export const HTTP_EVENTS_PATH = '/api/events';
export const HTTP_TOKEN_HEADER = 'x-mcs-token';
