// `npm run serve`: the studio in a browser. Starts the engine process and the
// loopback server, prints the address with this run's token, opens it.
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { browserSettingsDir, browserWorkDir, engineHostModule, rendererDir, sampleModel } from '../studio/app-paths.js';
import { VERSION } from '../cli/version.js';
import { createStudioShell } from '../studio/shell/studio-shell.js';
import { ENGINE_ENV } from '../common/engine-protocol.js';
import { forkSpawner } from '../studio/shell/fork-spawner.js';
import { openBrowser } from './open-browser.js';
import { newToken } from './request-guard.js';
import { startStudioServer } from './server.js';

const program = new Command()
  .name('mcs-serve')
  .description('Model Compression Studio in your browser, on 127.0.0.1 only')
  .option('-p, --port <port>', 'port to listen on (0: any free port)', '0')
  .option('--no-open', 'print the address but do not open a browser')
  .option('--settings <dir>', 'folder for the recent-models list', browserSettingsDir())
  .option('--work <dir>', 'folder for compressed models waiting to be exported', browserWorkDir())
  .option('--threads <n>', 'threads for the engine (0: all cores)', '0')
  .parse();

const opts = program.opts<{ port: string; open: boolean; settings: string; work: string; threads: string }>();

async function main(): Promise<void> {
  const staticRoot = rendererDir();
  if (!existsSync(staticRoot)) {
    console.error(`The window has not been built (${staticRoot} is missing): run "npm run build" first.`);
    process.exit(1);
  }
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port ${opts.port}: give a port number from 0 to 65535`);
    process.exit(2);
  }
  const shell = createStudioShell({
    spawner: forkSpawner(engineHostModule(), { [ENGINE_ENV.threads]: opts.threads, [ENGINE_ENV.workDir]: opts.work }),
    host: { transport: 'browser', version: VERSION, typedPathsAreChoices: true, sample: sampleModel() },
    settingsDir: opts.settings,
  });
  shell.onEvent((e) => {
    if (e.type === 'engine.restarted') console.error(e.message);
  });
  const server = await startStudioServer({ gateway: shell.gateway, onEvent: shell.onEvent, staticRoot, token: newToken(), port });
  console.log(`Model Compression Studio: ${server.url}`);
  console.log('Only this address (with its token) opens the studio; press Ctrl+C to stop.');
  if (opts.open) openBrowser(server.url, (m) => console.error(m));

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    await shell.dispose();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e) => {
  console.error(`Could not start the studio: ${(e as Error).message}`);
  process.exit(1);
});
