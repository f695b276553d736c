// The preload (dist/preload.cjs, sandboxed): exposes exactly the StudioApi
// contract to the page as `window.studio` — calls by name (unknown names are
// refused before they reach IPC), events, and dropped-file paths.
import { exposeStudioBridge, type PreloadElectron } from './bridge.js';

exposeStudioBridge(require('electron') as PreloadElectron);
