// Which request fields of each call are file paths, and how the shell treats
// them. What "the user chose" means:
//  - the bundled sample folder, always (read);
//  - a path returned by a native dialog or dropped on the desktop window in
//    this session (read for open dialogs and drops, write for save dialogs);
//  - a recent model, when opened again from the Start screen (read);
//  - in browser mode only, a path the user typed into a path field: the call
//    that carries it (`entry` below) is the choice, and grants it.
// Every other path must already be granted: a call cannot introduce a new path.
// Folders grant what is inside them for reading; write grants are exact files.
import type { StudioCallName, StudioRequest } from '../../common/contract.js';
import type { Access } from './path-grants.js';

export interface PathUse {
  /** The request property holding the path ('path', or dotted into a nested object: 'a.path'). */
  field: string;
  access: Access;
  /** `entry`: the user names this path here (path field, dialog result); `granted`: must be chosen already. */
  source: 'entry' | 'granted';
  /** A recent model may be opened again without a new choice. */
  recentOk?: boolean;
}

type Policy = { [N in StudioCallName]: (req: StudioRequest<N>) => PathUse[] };

const none = (): PathUse[] => [];

export const pathPolicy: Policy = {
  'system.info': none,
  'models.open': () => [{ field: 'path', access: 'read', source: 'entry', recentOk: true }],
  'models.openSample': none,
  'models.recent': none,
  // Forgetting only edits the list; the path is not opened.
  'models.forgetRecent': none,
  'models.close': none,
  'models.tensorDetail': none,
  'recipes.presets': none,
  'recipes.check': none,
  'recipes.load': () => [{ field: 'path', access: 'read', source: 'entry' }],
  'recipes.save': () => [{ field: 'path', access: 'write', source: 'entry' }],
  // An export writes where the user chose (a save dialog, or the typed path in browser mode);
  // a comparison reads the models and the text file the user named.
  'jobs.start': (r) => {
    if (r.kind === 'export') return [{ field: 'path', access: 'write', source: 'entry' }];
    if (r.kind !== 'compare') return [];
    const uses: PathUse[] = [];
    if (r.a.source === 'path') uses.push({ field: 'a.path', access: 'read', source: 'entry', recentOk: true });
    if (r.b.source === 'path') uses.push({ field: 'b.path', access: 'read', source: 'entry', recentOk: true });
    if (r.text.source === 'file') uses.push({ field: 'text.path', access: 'read', source: 'entry' });
    return uses;
  },
  'jobs.cancel': none,
  'jobs.get': none,
  'jobs.list': none,
  'dialogs.openModel': none,
  'dialogs.openFile': none,
  'dialogs.saveFile': none,
  'shell.reveal': () => [{ field: 'path', access: 'read', source: 'granted' }],
};

export function pathUses<N extends StudioCallName>(name: N, req: StudioRequest<N>): PathUse[] {
  return (pathPolicy[name] as (r: StudioRequest<N>) => PathUse[])(req);
}
