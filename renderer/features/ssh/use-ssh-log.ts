import { useEffect, useState } from 'react';
import type { SshLogEntryItem } from '../../../shared/contract';
import { api } from '../../api/client';
import { useConnection } from '../../stores/connection';
import { errorMessage } from '../../ui/error-message';
import { appendLog, LOG_CAP } from './log-view';

/** How often the viewer asks for new entries while it is shown. */
export const LOG_POLL_MS = 2000;

/**
 * The SSH debug log, kept current while the caller is mounted: the whole log once, then
 * only what came after the newest entry. Starts over when browser mode reconnects (a
 * restarted server numbers its entries from 1 again).
 */
export function useSshLog(): { entries: SshLogEntryItem[]; error: string | undefined } {
  const connection = useConnection((s) => s.state);
  const [entries, setEntries] = useState<SshLogEntryItem[]>([]);
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (connection !== 'open') return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let newest = 0;
    const poll = async (first: boolean) => {
      try {
        const { entries: incoming } = await api.ssh.debugLog(first ? { limit: LOG_CAP } : { afterSeq: newest });
        if (stopped) return;
        newest = incoming.at(-1)?.seq ?? newest;
        setEntries((current) => (first ? incoming : incoming.length > 0 ? appendLog(current, incoming) : current));
        setError(undefined);
      } catch (failure) {
        if (!stopped) setError(errorMessage(failure));
      }
      if (!stopped) timer = setTimeout(() => void poll(false), LOG_POLL_MS);
    };
    void poll(true);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [connection]);

  return { entries, error };
}
