// Opens a URL in the user's default browser; failing that, the printed URL is
// enough, so errors are reported and otherwise ignored.
import { spawn } from 'node:child_process';

export function openBrowser(url: string, onError: (message: string) => void): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] :
    process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] :
    ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true, windowsHide: true });
    child.on('error', (e) => onError(`could not open a browser (${e.message}); open the address above yourself`));
    child.unref();
  } catch (e) {
    onError(`could not open a browser (${(e as Error).message}); open the address above yourself`);
  }
}
