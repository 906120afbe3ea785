import { useEffect, useState } from 'react';
import type { LicenseVerification } from '../../../shared/contract/license';
import { api } from '../../api/client';
import { errorMessage } from '../../ui/error-message';

/** Between the end of one verification and the start of the next. */
export const VERIFY_INTERVAL_MS = 2000;

export interface VerificationState {
  verification: LicenseVerification | undefined;
  /** Why the latest read failed; the table then shows the previous one. */
  error: string | undefined;
}

/**
 * Reads every node (`license.verify`) again and again while the component is mounted and
 * `enabled`, one read at a time: each starts VERIFY_INTERVAL_MS after the previous answered,
 * so a slow cluster is never asked twice at once.
 */
export function useLicenseVerification(cluster: string, fingerprint: string | undefined, enabled: boolean): VerificationState {
  const key = `${cluster}\n${fingerprint ?? ''}`;
  // Tagged with what was asked, so a revert (another fingerprint) never shows the apply's answers.
  const [state, setState] = useState<VerificationState & { key: string }>({ key, verification: undefined, error: undefined });

  useEffect(() => {
    if (!enabled) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      try {
        const verification = await api.license.verify({ cluster, ...(fingerprint ? { fingerprint } : {}) });
        if (live) setState({ key, verification, error: undefined });
      } catch (failure) {
        if (live) setState((previous) => ({ ...(previous.key === key ? previous : { verification: undefined }), key, error: errorMessage(failure) }));
      }
      if (live) timer = setTimeout(() => void read(), VERIFY_INTERVAL_MS);
    };
    void read();
    return () => {
      live = false;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [cluster, fingerprint, enabled, key]);

  return state.key === key ? { verification: state.verification, error: state.error } : { verification: undefined, error: undefined };
}
