import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabLicenseIssuer } from './issuer';

export const SAMPLE_LICENSE_NAMES = ['valid', 'expired', 'wrong-site', 'over-limit', 'truncated'] as const;
export type SampleLicenseName = (typeof SAMPLE_LICENSE_NAMES)[number];

const DAY_MS = 24 * 60 * 60 * 1000;
/** A site no lab cluster uses, for the wrong-site sample. */
export const WRONG_SITE_URL = 'https://chat.elsewhere.example';

export interface SampleLicenseOptions {
  issuer: LabLicenseIssuer;
  /** The lab cluster's Site_Url. */
  siteUrl: string;
  /** The lab cluster's active users now; the over-limit sample allows one fewer. */
  activeUsers: number;
  now: Date;
}

/**
 * The license texts the wizard's tests and the rehearsal use, one per outcome: only
 * `valid` passes the checks for the lab cluster; each other fails for its named reason.
 */
export function sampleLicenses({ issuer, siteUrl, activeUsers, now }: SampleLicenseOptions): Record<SampleLicenseName, string> {
  if (!Number.isInteger(activeUsers) || activeUsers < 1) {
    throw new RangeError('An over-limit sample needs at least one active user to be over.');
  }
  const at = (days: number): Date => new Date(now.getTime() + days * DAY_MS);
  const base = {
    siteUrl,
    validFrom: at(-1),
    validUntil: at(365),
    createdAt: at(-1),
    limits: { activeUsers: [{ max: Math.max(100, activeUsers * 2), behavior: 'prevent_action' }] },
  };
  const valid = issuer.issue({ ...base, id: 'lab-valid' });
  return {
    valid,
    expired: issuer.issue({ ...base, id: 'lab-expired', validFrom: at(-400), validUntil: at(-35), createdAt: at(-400) }),
    'wrong-site': issuer.issue({ ...base, id: 'lab-wrong-site', siteUrl: WRONG_SITE_URL }),
    'over-limit': issuer.issue({
      ...base,
      id: 'lab-over-limit',
      limits: { activeUsers: [{ max: activeUsers - 1, behavior: 'invalidate_license' }] },
    }),
    // Cut in the middle of the signature: still three JWT parts, so only the signature's length gives it away.
    truncated: valid.slice(0, valid.lastIndexOf('.') + Math.floor((valid.length - valid.lastIndexOf('.')) / 2)),
  };
}

/** Writes `<name>.lic` for each sample into `dir` and returns their paths. */
export async function writeSampleLicenses(dir: string, options: SampleLicenseOptions): Promise<Record<SampleLicenseName, string>> {
  await mkdir(dir, { recursive: true });
  const licenses = sampleLicenses(options);
  const paths = {} as Record<SampleLicenseName, string>;
  for (const name of SAMPLE_LICENSE_NAMES) {
    paths[name] = join(dir, `${name}.lic`);
    // A trailing newline, as license files usually have.
    await writeFile(paths[name], `${licenses[name]}\n`, { mode: 0o600 });
  }
  return paths;
}
