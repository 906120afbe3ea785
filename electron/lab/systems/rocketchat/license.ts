import { checkLicense } from '../../../../shared/license/checks';
import { parseLicense } from '../../../../shared/license/parse';
import type { LicenseV3Payload } from '../../../../shared/license/schema';
import type { LabLicenseIssuer } from '../../license/issuer';

/**
 * What a simulated Rocket.Chat node concludes about a license text, the way Rocket.Chat 7 does
 * when it applies `Enterprise_License`: the signature must verify (here against the lab's key),
 * and then the license must fit the workspace (Site_Url, validity periods by the node's own
 * clock, active-user limits). The fit is judged by the same checks the console's wizard runs,
 * so a license the wizard marks red is one the lab node refuses.
 */

export type LicenseVerdict =
  | { valid: true; payload: LicenseV3Payload; fingerprint: string }
  | { valid: false; reason: string; fingerprint?: string };

export interface NodeLicenseContext {
  siteUrl: string | undefined;
  /** The node's clock, epoch milliseconds. */
  now: number;
  activeUsers: number | undefined;
  node: string;
}

/** `License.validateFormat`: does the text decrypt (for v3: does the JWT signature verify)? */
export function licenseFormatValid(issuer: LabLicenseIssuer, text: string): boolean {
  return text.trim() !== '' && issuer.verify(text).ok;
}

export function evaluateLicense(issuer: LabLicenseIssuer, text: string, context: NodeLicenseContext): LicenseVerdict {
  if (text.trim() === '') return { valid: false, reason: 'no license' };
  const verified = issuer.verify(text);
  if (!verified.ok) return { valid: false, reason: verified.reason === 'bad-signature' ? 'invalid signature' : 'invalid format' };
  const parsed = parseLicense(text);
  if (!parsed.ok) return { valid: false, reason: 'invalid format', fingerprint: verified.fingerprint };
  const items = checkLicense(parsed.license, {
    clusterName: 'lab',
    siteUrl: context.siteUrl,
    now: context.now,
    nodeClocks: [{ node: context.node, epochSeconds: Math.floor(context.now / 1000) }],
    activeUsers: context.activeUsers,
  });
  const refused = items.find((item) => item.level === 'red');
  if (refused) return { valid: false, reason: reasonOf(refused.id), fingerprint: verified.fingerprint };
  return { valid: true, payload: verified.payload, fingerprint: verified.fingerprint };
}

/** The kind of rule that invalidated the license (`url`, `period`, `limit`), as Rocket.Chat's logs name it. */
function reasonOf(checkId: string): string {
  if (checkId.startsWith('site-url')) return 'url';
  if (checkId.startsWith('period-') || checkId.startsWith('node-clock')) return 'period';
  if (checkId.startsWith('limit-')) return 'limit';
  return checkId;
}
