// `npm start`: the desktop app when the Electron binary is installed (it is an
// optional dependency whose download can fail, e.g. offline), otherwise the
// same studio in the browser (`npm run serve`), saying why.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

/** The Electron binary's path, or why there is none. */
function findElectron() {
  let binary;
  try {
    // The electron package exports the path of the binary it downloaded, and throws when the download failed.
    binary = require('electron');
  } catch (e) {
    const missing = e && e.code === 'MODULE_NOT_FOUND';
    return { reason: missing ? 'the optional "electron" package is not installed' : `the Electron binary is missing (${String(e.message).split('\n')[0]})` };
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return { reason: 'the Electron binary was not downloaded' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'there is no display to open a window on' };
  return { binary };
}

function run(cmd, cmdArgs) {
  const child = spawn(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(signal ? 1 : code ?? 0));
}

const { binary, reason } = findElectron();
if (binary) {
  run(binary, [root, ...args]);
} else {
  console.log(`Desktop app not available: ${reason}. Opening the studio in your browser instead (browser mode).`);
  run(process.execPath, [fileURLToPath(new URL('../dist/serve.cjs', import.meta.url)), ...args]);
}
