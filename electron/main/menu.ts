// A small application menu: standard roles only (the window's own shortcuts,
// Ctrl/Cmd+O and Ctrl/Cmd+Enter, are handled by the page in both modes).
import type { MenuItemTemplate } from './electron-api.js';

export function appMenu(platform: string, developer: boolean): MenuItemTemplate[] {
  const view: MenuItemTemplate[] = [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }];
  if (developer) view.unshift({ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' });
  return [
    ...(platform === 'darwin' ? [{ role: 'appMenu' }] : []),
    { label: 'File', submenu: [platform === 'darwin' ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
  ];
}
