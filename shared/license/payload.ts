import type { LicenseLimit, LicenseLimitKind, LicenseV3Payload } from './schema';
import { workspaceUrlOf } from './server-url';

/**
 * Builds an ILicenseV3 payload for the lab's own licenses (and tests). Rocket.Chat's real
 * licenses come from Rocket.Chat; these are signed by the lab's key and say so in
 * `grantedTo` and `grantedBy`.
 */
export interface LicensePayloadOptions {
  /** Site_Url of the cluster; written as a `url` entry the way Rocket.Chat compares it. */
  siteUrl?: string;
  /** Server URL entries as given (`url`, `regex` or `hash`), instead of one built from `siteUrl`. */
  serverUrls?: { value: string; type: string }[];
  validFrom?: Date;
  validUntil?: Date;
  /** What Rocket.Chat does outside the period; `invalidate_license` unless given. */
  invalidBehavior?: string;
  trial?: boolean;
  /** Defaults to true: the lab issues offline licenses, as air-gapped clusters need. */
  offline?: boolean;
  limits?: Partial<Record<LicenseLimitKind, LicenseLimit[]>>;
  modules?: string[];
  createdAt?: Date;
  id?: string;
}

export const LAB_GRANTEE = 'Switchboard lab (simulation)';
export const LAB_DEFAULT_MODULES = ['scalability', 'auditing', 'ldap-enterprise', 'engagement-dashboard', 'hide-watermark'];

export function buildLicensePayload(options: LicensePayloadOptions): LicenseV3Payload {
  const serverUrls = options.serverUrls ?? (options.siteUrl === undefined ? [] : [{ value: workspaceUrlOf(options.siteUrl), type: 'url' }]);
  const period = {
    ...(options.validFrom === undefined ? {} : { validFrom: options.validFrom.toISOString() }),
    ...(options.validUntil === undefined ? {} : { validUntil: options.validUntil.toISOString() }),
    invalidBehavior: options.invalidBehavior ?? 'invalidate_license',
  };
  return {
    version: '3.0',
    information: {
      ...(options.id === undefined ? {} : { id: options.id }),
      autoRenew: false,
      trial: options.trial ?? false,
      offline: options.offline ?? true,
      createdAt: (options.createdAt ?? new Date()).toISOString(),
      grantedBy: { method: 'manual', seller: 'Switchboard lab' },
      grantedTo: { name: LAB_GRANTEE, company: LAB_GRANTEE },
      notes: 'Signed by the Switchboard lab key, not by Rocket.Chat. For rehearsals only.',
      tags: [{ name: 'Simulation', color: 'orange' }],
    },
    validation: {
      serverUrls,
      validPeriods: period.validFrom === undefined && period.validUntil === undefined ? [] : [period],
      statisticsReport: { required: false },
    },
    grantedModules: (options.modules ?? LAB_DEFAULT_MODULES).map((module) => ({ module })),
    limits: options.limits ?? {},
  };
}
