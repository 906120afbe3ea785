import { createPrivateKey, createPublicKey, generateKeyPair, sign, verify, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { normalizeLicenseText, parseLicense, RCV3_PREFIX } from '../../../shared/license/parse';
import { buildLicensePayload, type LicensePayloadOptions } from '../../../shared/license/payload';
import type { LicenseV3Payload } from '../../../shared/license/schema';

/**
 * The lab's license authority. Lab licenses have Rocket.Chat's v3 shape (`RCV3_` + an
 * RS256 JWT with an ILicenseV3 payload) but are signed by the lab's own RSA key, never
 * Rocket.Chat's: they work only on the lab's simulated Rocket.Chat nodes, which verify
 * them with `verify()` the way Rocket.Chat verifies real ones with its public key.
 */

export type LabLicenseVerification =
  | { ok: true; payload: LicenseV3Payload; fingerprint: string }
  | { ok: false; reason: 'malformed' | 'bad-signature'; message: string };

const generateRsaKeyPair = promisify(generateKeyPair);

export class LabLicenseIssuer {
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;

  private constructor(privateKey: KeyObject) {
    this.#privateKey = privateKey;
    this.#publicKey = createPublicKey(privateKey);
  }

  /** A fresh 2048-bit key pair, generated off the event loop. */
  static async create(): Promise<LabLicenseIssuer> {
    const { privateKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 });
    return new LabLicenseIssuer(privateKey);
  }

  static fromPrivateKeyPem(pem: string): LabLicenseIssuer {
    return new LabLicenseIssuer(createPrivateKey(pem));
  }

  /** Loads the signing key from `keyFile`, or creates it there (mode 0600) so a lab keeps its key across runs. */
  static async loadOrCreate(keyFile: string): Promise<LabLicenseIssuer> {
    try {
      return LabLicenseIssuer.fromPrivateKeyPem(await readFile(keyFile, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const issuer = await LabLicenseIssuer.create();
    await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 });
    try {
      await writeFile(keyFile, issuer.#privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another lab process created it first: use that key, so both issue alike.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return LabLicenseIssuer.fromPrivateKeyPem(await readFile(keyFile, 'utf8'));
    }
    return issuer;
  }

  /** SPKI PEM, as Rocket.Chat's own public key is kept. */
  get publicKeyPem(): string {
    return this.#publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  issue(options: LicensePayloadOptions): string {
    return this.sign(buildLicensePayload(options));
  }

  /** Signs any payload as given, so tests can also produce licenses with odd contents. */
  sign(payload: object): string {
    const header = { alg: 'RS256', typ: 'JWT' };
    const signingInput = `${base64UrlJson(header)}.${base64UrlJson(payload)}`;
    const signature = sign('sha256', Buffer.from(signingInput), this.#privateKey).toString('base64url');
    return `${RCV3_PREFIX}${signingInput}.${signature}`;
  }

  /** What a lab Rocket.Chat node does in `licenses.add`: the payload, or why the license is refused. */
  verify(text: string): LabLicenseVerification {
    const parsed = parseLicense(text);
    if (!parsed.ok) return { ok: false, reason: 'malformed', message: parsed.rejection.message.en };
    if (parsed.license.version !== 3) {
      return { ok: false, reason: 'malformed', message: 'Legacy (v2) licenses are not issued by the lab.' };
    }
    const jwt = normalizeLicenseText(text).slice(RCV3_PREFIX.length);
    const signatureStart = jwt.lastIndexOf('.');
    const signed = verify(
      'sha256',
      Buffer.from(jwt.slice(0, signatureStart)),
      this.#publicKey,
      Buffer.from(jwt.slice(signatureStart + 1), 'base64url'),
    );
    if (!signed) return { ok: false, reason: 'bad-signature', message: 'The license signature does not match the lab signing key.' };
    return { ok: true, payload: parsed.license.payload, fingerprint: parsed.license.fingerprint };
  }
}

function base64UrlJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
