// The trust boundary both transports share (Electron IPC and the browser-mode
// server): every request from the window — untrusted — is checked here before
// anything runs. Unknown call → refused; payload → validated against the
// contract's schema; paths → the path policy; then the shell answers it (recent
// list, dialogs) or forwards it to the engine process.
import { z } from 'zod';
import {
  isStudioCallName,
  shellCalls,
  studioCalls,
  type EngineCallName,
  type ModelSummary,
  type ShellCallName,
  type StudioCallName,
  type StudioRequest,
  type StudioResponse,
  type StudioResult,
  type SystemInfo,
} from '../../common/contract.js';
import { StudioError, toStudioError } from '../../common/errors.js';
import { normalizeUserPath, type PathGrants } from './path-grants.js';
import { pathUses } from './path-policy.js';
import type { RecentModels } from './recent-models.js';

/** The engine as the gateway sees it (EngineClient in practice). */
export interface EngineLink {
  call(name: EngineCallName, request: unknown): Promise<StudioResult<unknown>>;
  readonly pid: number | null;
  readonly restarts: number;
}

/** What differs between the desktop shell and the browser-mode server. */
export interface ShellHost {
  transport: 'desktop' | 'browser';
  version: string;
  /** Browser mode: a typed path is the user's choice (there are no native dialogs). */
  typedPathsAreChoices: boolean;
  sample: { name: string; path: string } | null;
  dialogs?: {
    openModel(kind: 'file' | 'folder'): Promise<string | null>;
    openFile(purpose: 'recipe' | 'text'): Promise<string | null>;
    saveFile(purpose: 'recipe' | 'export', defaultName?: string): Promise<string | null>;
  };
  reveal?(path: string): Promise<void>;
}

export interface GatewayDeps {
  engine: EngineLink;
  host: ShellHost;
  grants: PathGrants;
  recents: RecentModels;
}

export interface Gateway {
  handle(name: unknown, payload: unknown): Promise<StudioResult<unknown>>;
}

const isShellCall = (n: StudioCallName): n is ShellCallName => (shellCalls as readonly string[]).includes(n);

export function createGateway(deps: GatewayDeps): Gateway {
  const { engine, host, grants, recents } = deps;

  function checkPaths<N extends StudioCallName>(name: N, req: StudioRequest<N>): void {
    for (const use of pathUses(name, req)) {
      // 'a.path': the object holding the path, and the key in it.
      const keys = use.field.split('.');
      const key = keys.pop() as string;
      const record = keys.reduce((o, k) => o[k] as Record<string, unknown>, req as Record<string, unknown>);
      const path = normalizeUserPath(String(record[key]));
      if (use.source === 'entry' && host.typedPathsAreChoices) grants.grant(path, use.access);
      else if (use.recentOk && recents.has(path)) grants.grant(path, 'read');
      if (!grants.allows(path, use.access)) {
        throw new StudioError(
          'INVALID_ARGUMENT',
          `${path}: not a file you chose in this session — ${use.access === 'write' ? 'choose where to save with the Save dialog' : 'open it with the Open button or drop it on the window'}`,
          { file: path },
        );
      }
      record[key] = path;
    }
  }

  const dialogs = () => {
    if (!host.dialogs) throw new StudioError('UNSUPPORTED', 'native dialogs exist in the desktop app only; type the path instead');
    return host.dialogs;
  };

  const grantChosen = (path: string | null, access: 'read' | 'write') => {
    if (path) grants.grant(path, access);
    return { path };
  };

  const shell: { [N in ShellCallName]: (req: StudioRequest<N>) => Promise<StudioResponse<N>> } = {
    'models.recent': async () => recents.list(),
    'models.forgetRecent': async (r) => recents.forget(r.path),
    'dialogs.openModel': async (r) => grantChosen(await dialogs().openModel(r.kind), 'read'),
    'dialogs.openFile': async (r) => grantChosen(await dialogs().openFile(r.purpose), 'read'),
    'dialogs.saveFile': async (r) => grantChosen(await dialogs().saveFile(r.purpose, r.defaultName), 'write'),
    'shell.reveal': async (r) => {
      if (!host.reveal) throw new StudioError('UNSUPPORTED', 'showing files in the file manager needs the desktop app');
      await host.reveal(r.path);
      return { shown: true };
    },
  };

  /** Shell-side additions to what the engine answers. */
  function afterEngine(name: EngineCallName, value: unknown): unknown {
    if (name === 'system.info') {
      return {
        ...(value as SystemInfo),
        version: host.version,
        transport: host.transport,
        nativeDialogs: !!host.dialogs,
        engine: { pid: engine.pid, restarts: engine.restarts },
        sample: host.sample,
      } satisfies SystemInfo;
    }
    if (name === 'models.open') {
      const m = value as ModelSummary;
      recents.add({
        path: m.path, name: m.name, format: m.format, architecture: m.architecture,
        parameters: m.parameters, bytesOnDisk: m.bytesOnDisk, openedAt: Date.now(),
      });
    }
    return value;
  }

  return {
    async handle(name, payload) {
      try {
        if (!isStudioCallName(name)) throw new StudioError('INVALID_ARGUMENT', `unknown call "${String(name).slice(0, 100)}"`);
        const parsed = studioCalls[name].safeParse(payload ?? {});
        if (!parsed.success) throw new StudioError('INVALID_ARGUMENT', `${name}: ${describeIssues(parsed.error)}`);
        const req = parsed.data as StudioRequest<typeof name>;
        checkPaths(name, req);
        if (isShellCall(name)) {
          const handler = shell[name] as (r: unknown) => Promise<unknown>;
          return { ok: true, value: await handler(req) };
        }
        const result = await engine.call(name, req);
        return result.ok ? { ok: true, value: afterEngine(name, result.value) } : result;
      } catch (e) {
        return { ok: false, error: toStudioError(e).toJSON() };
      }
    },
  };
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'request'}: ${i.message}`)
    .join('; ');
}
