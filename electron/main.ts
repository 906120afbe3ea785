import { app, BrowserWindow, ipcMain, session, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCore, type Core } from './core/app-core';
import { createLogger, stderrSink } from './core/log/logger';
import { safeStorageCipher } from './platform/safe-storage';
import { IPC_CALL, IPC_EVENT } from './ipc-channels';

// Electron's security checklist: sandbox everything, isolate contexts, no Node in pages,
// deny every permission, navigation and new window, and accept IPC only from our own page.
app.enableSandbox();

const rendererIndex = join(import.meta.dirname, '..', 'renderer', 'index.html');
const rendererUrl = pathToFileURL(rendererIndex).href;

let core: Core | undefined;
let mainWindow: BrowserWindow | undefined;

function isOwnPage(url: string): boolean {
  return url.split('#')[0] === rendererUrl;
}

function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return !!mainWindow && !!frame && frame === mainWindow.webContents.mainFrame && isOwnPage(frame.url);
}

function hardenContents(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isOwnPage(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

function createWindow(): void {
  mainWindow = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Switchboard',
    show: false,
    webPreferences: {
      // Accepted Electronegativity finding: this is our own bundled preload, exposing only the contract's calls.
      preload: join(import.meta.dirname, '..', 'preload', 'preload.cjs'), // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      // Middle-click must not open links in a new window.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => {
    mainWindow = undefined;
  });
  void mainWindow.loadFile(rendererIndex);
}

app.on('web-contents-created', (_event, contents) => hardenContents(contents));

void app.whenReady().then(async () => {
  const log = createLogger({ minLevel: 'warn', sink: stderrSink });
  const created = await createCore({ dataDir: app.getPath('userData'), host: 'electron', log, cipher: safeStorageCipher });
  core = created;

  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  ipcMain.handle(IPC_CALL, (event, channel: unknown, input: unknown) => {
    if (!isTrustedSender(event)) {
      log.warn('ipc', 'Refused a call from an untrusted frame', { url: event.senderFrame?.url });
      return { ok: false, error: { code: 'UNAUTHORIZED', message: 'Calls are accepted only from the app window' } };
    }
    return core?.dispatcher.dispatch(channel, input);
  });
  created.events.listen((name, payload) => mainWindow?.webContents.send(IPC_EVENT, name, payload));
  // `switchboard demo` asks for the rehearsal lab (a simulation) to be loaded.
  const demoLab = process.env.SWITCHBOARD_DEMO_LAB;
  if (demoLab) {
    created.lab.start({ scenario: demoLab, timeScale: 1 }).catch((error: unknown) => log.error('lab', 'The demo lab did not start', { error }));
  }

  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('before-quit', () => {
  void core?.dispose();
});
