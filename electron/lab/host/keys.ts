import ssh2 from 'ssh2';

export interface OpenSshKeyPair {
  /** OpenSSH private key file content. */
  private: string;
  /** The `ssh-ed25519 AAAA... comment` line. */
  public: string;
}

const maxAttempts = 8;

/**
 * An ed25519 key pair in OpenSSH format that ssh2 itself accepts. ssh2's generator strips
 * leading zero bytes from the public key it reads out of the DER (ssh2 1.17 `keygen.js`), so a
 * key whose public half starts with 0x00 (1 in 256) comes out 31 bytes long and `parseKey`
 * rejects both halves as malformed; such a pair is drawn again.
 */
export function generateEd25519KeyPair(comment?: string): OpenSshKeyPair {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', comment === undefined ? {} : { comment });
    if (parses(pair.private) && parses(pair.public)) return { private: pair.private, public: pair.public };
  }
  throw new Error(`ssh2 generated ${maxAttempts} malformed ed25519 keys in a row`);
}

function parses(key: string): boolean {
  return !(ssh2.utils.parseKey(key) instanceof Error);
}
