// The Electron main process: one window, the LabSession, and the IPC wiring.
// This file and src/preload are the only places that import Electron.
//
// Security (Electron's checklist): context isolation, the sandbox, no Node
// integration, a strict CSP (in the renderer's index.html and as a header),
// no navigation or new windows, only the LabApi's one channel, the sender
// checked and every message validated (dispatch() runs the shared schemas).

import { app, BrowserWindow, ipcMain, session as electronSession, shell, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { IPC_CHANNELS, type LabEvent } from '../shared/api';
import { fail } from '../shared/result';
import { dispatchMessage } from './lab/dispatch';
import { type LabClient, LabSession } from './lab/session';
import { WEB_CSP } from './web/server';

const session = new LabSession({ spareThread: true });
let mainWindow: BrowserWindow | null = null;
let windowClient: LabClient | null = null;

function rendererUrl(): { url?: string; file?: string } {
  const dev = process.env['ELECTRON_RENDERER_URL'];
  return !app.isPackaged && dev ? { url: dev } : { file: join(__dirname, '../renderer/index.html') };
}

function isOurFrame(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  const target = rendererUrl();
  return mainWindow !== null && event.sender === mainWindow.webContents
    && (target.url ? url.startsWith(target.url) : url.startsWith('file://'));
}

function createWindow(): void {
  mainWindow = new BrowserWindow({
    width: 1480,
    height: 920,
    minWidth: 960,
    minHeight: 600,
    title: 'Hypervisor Lab',
    backgroundColor: '#15171c',
    show: false,
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  const win = mainWindow;
  win.once('ready-to-show', () => win.show());

  const contents = win.webContents;
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());

  windowClient = {
    name: 'electron-window',
    send(event: LabEvent) {
      if (contents.isDestroyed()) throw new Error('window closed');
      contents.send(IPC_CHANNELS.event, event);
    },
  };
  const detach = session.attach(windowClient);
  win.on('closed', () => {
    detach();
    mainWindow = null;
    windowClient = null;
  });

  const target = rendererUrl();
  if (target.url) void win.loadURL(target.url);
  else void win.loadFile(target.file!);
}

app.whenReady().then(() => {
  electronSession.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [WEB_CSP] } });
  });
  electronSession.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  ipcMain.handle(IPC_CHANNELS.rpc, async (event, message: unknown) => {
    if (!isOurFrame(event) || !windowClient) return fail('invalid-request', 'IPC from an unknown sender was refused');
    return dispatchMessage(session, windowClient, message);
  });

  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (ev) => ev.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

app.on('window-all-closed', () => {
  void session.shutdown().finally(() => {
    if (process.platform !== 'darwin') app.quit();
  });
});
