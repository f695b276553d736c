// Electron main-process entry (dist/main.cjs). All the wiring is in app.ts.
import type { ElectronApi } from './electron-api.js';
import { prepareDesktopApp, startDesktopApp } from './app.js';

const electron = require('electron') as ElectronApi;
prepareDesktopApp(electron);
startDesktopApp(electron).catch((e) => {
  console.error(`Model Compression Studio could not start: ${(e as Error).stack ?? e}`);
  electron.app.exit(1);
});
