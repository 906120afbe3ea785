import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { calls, listCalls, type WireResult } from '../shared/contract';
import type { PreloadBridge } from '../shared/contract/bridge';
import { IPC_CALL, IPC_EVENT } from './ipc-channels';

// One function per contract channel and nothing else: the page gets no generic ipcRenderer.
const bridge: PreloadBridge = {
  calls: Object.fromEntries(
    listCalls(calls).map(([channel]) => [
      channel,
      (input: unknown) => ipcRenderer.invoke(IPC_CALL, channel, input) as Promise<WireResult>,
    ]),
  ),
  listen(listener) {
    const forward = (_event: IpcRendererEvent, name: string, payload: unknown) => listener(name, payload);
    ipcRenderer.on(IPC_EVENT, forward);
    return () => {
      ipcRenderer.off(IPC_EVENT, forward);
    };
  },
};

contextBridge.exposeInMainWorld('switchboard', bridge);
