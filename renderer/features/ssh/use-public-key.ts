import { useEffect, useState } from 'react';
import { parsePublicKeyLine, sha256Fingerprint, type PublicKeyLine } from './fingerprint';

export type PastedKey =
  | { state: 'empty' }
  | { state: 'invalid' }
  | { state: 'hashing' }
  /** The page cannot hash (WebCrypto needs a secure context). */
  | { state: 'unsupported' }
  | { state: 'ok'; key: PublicKeyLine; fingerprint: string };

/** Reads a pasted public key line and computes its fingerprint. */
export function usePastedKey(text: string): PastedKey {
  const key = text.trim() ? parsePublicKeyLine(text) : undefined;
  const publicKey = key?.publicKey;
  const [hashed, setHashed] = useState<{ publicKey: string; fingerprint: string | undefined }>();

  useEffect(() => {
    if (!publicKey) return;
    let current = true;
    sha256Fingerprint(publicKey).then(
      (fingerprint) => current && setHashed({ publicKey, fingerprint }),
      () => current && setHashed({ publicKey, fingerprint: undefined }),
    );
    return () => {
      current = false;
    };
  }, [publicKey]);

  if (!text.trim()) return { state: 'empty' };
  if (!key) return { state: 'invalid' };
  if (hashed?.publicKey !== key.publicKey) return { state: 'hashing' };
  return hashed.fingerprint === undefined ? { state: 'unsupported' } : { state: 'ok', key, fingerprint: hashed.fingerprint };
}
