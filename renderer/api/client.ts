import { createClient, type Transport } from '../../shared/contract/client';
import type { PreloadBridge } from '../../shared/contract/bridge';
import { createWsTransport, takeToken, type ConnectionState } from './ws-transport';
import { useConnection } from '../stores/connection';

declare global {
  interface Window {
    switchboard?: PreloadBridge;
  }
}

function bridgeTransport(bridge: PreloadBridge): Transport {
  return {
    call: (channel, input) => {
      const call = bridge.calls[channel];
      if (!call) return Promise.resolve({ ok: false, error: { code: 'NOT_FOUND', message: `Unknown call ${channel}` } });
      return call(input);
    },
    listen: (listener) => bridge.listen(listener),
  };
}

function browserTransport(): Transport {
  const token = takeToken(window.location, window.sessionStorage, window.history) ?? '';
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return createWsTransport({
    url: `${scheme}://${window.location.host}/rpc?token=${encodeURIComponent(token)}`,
    onState: (state: ConnectionState) => useConnection.getState().setState(state, !token),
  });
}

/** The typed client for the whole app: Electron IPC when inside the app window, else the WebSocket. */
export const api = createClient(window.switchboard ? bridgeTransport(window.switchboard) : browserTransport());
