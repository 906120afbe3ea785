import { z } from 'zod';

/**
 * The payload of a Rocket.Chat v3 license, after Rocket.Chat's `ILicenseV3`
 * (RocketChat/Rocket.Chat packages/core-typings/src/license/ILicenseV3.ts). Required
 * fields are required here too; unknown fields are kept (`looseObject`), and enum-like
 * strings (behaviors, URL types, modules) are read as plain strings so that a newer
 * Rocket.Chat's values are shown and flagged by the checks instead of refusing the file.
 */

export const licenseBehaviors = [
  'invalidate_license',
  'start_fair_policy',
  'prevent_action',
  'prevent_installation',
  'disable_modules',
] as const;
export type LicenseBehavior = (typeof licenseBehaviors)[number];

export const licenseLimitKinds = [
  'activeUsers',
  'guestUsers',
  'roomsPerGuest',
  'privateApps',
  'marketplaceApps',
  'monthlyActiveContacts',
] as const;
export type LicenseLimitKind = (typeof licenseLimitKinds)[number];

/** ISO 8601 date-time strings in Rocket.Chat's payloads. */
const timestamp = z.string();

const limitSchema = z.looseObject({
  max: z.number(),
  behavior: z.string(),
  modules: z.array(z.string()).optional(),
});
export type LicenseLimit = z.infer<typeof limitSchema>;

const periodSchema = z.looseObject({
  validFrom: timestamp.optional(),
  validUntil: timestamp.optional(),
  invalidBehavior: z.string(),
  modules: z.array(z.string()).optional(),
});
export type LicensePeriod = z.infer<typeof periodSchema>;

const serverUrlSchema = z.looseObject({
  value: z.string(),
  /** `url` (exact), `regex` (a `*` wildcard pattern) or `hash` (bcrypt of the URL). */
  type: z.string(),
});
export type LicenseServerUrl = z.infer<typeof serverUrlSchema>;

export const licenseV3PayloadSchema = z.looseObject({
  version: z.string(),
  information: z.looseObject({
    id: z.string().optional(),
    autoRenew: z.boolean(),
    visualExpiration: timestamp.optional(),
    notifyAdminsAt: timestamp.optional(),
    notifyUsersAt: timestamp.optional(),
    trial: z.boolean(),
    cancellable: z.boolean().optional(),
    offline: z.boolean(),
    createdAt: timestamp,
    grantedBy: z.looseObject({ method: z.string(), seller: z.string().optional() }),
    grantedTo: z
      .looseObject({ name: z.string().optional(), company: z.string().optional(), email: z.string().optional() })
      .optional(),
    legalText: z.string().optional(),
    notes: z.string().optional(),
    tags: z.array(z.looseObject({ name: z.string(), color: z.string() })).optional(),
  }),
  validation: z.looseObject({
    serverUrls: z.array(serverUrlSchema),
    serverVersions: z.array(z.looseObject({ value: z.string() })).optional(),
    serverUniqueId: z.string().optional(),
    cloudWorkspaceId: z.string().optional(),
    validPeriods: z.array(periodSchema),
    legalTextAgreement: z.looseObject({ type: z.string(), acceptedVia: z.string().optional() }).optional(),
    statisticsReport: z.looseObject({ required: z.boolean(), allowedStaleInDays: z.number().optional() }),
  }),
  grantedModules: z.array(z.looseObject({ module: z.string(), external: z.boolean().optional() })),
  limits: z.looseObject({
    activeUsers: z.array(limitSchema).optional(),
    guestUsers: z.array(limitSchema).optional(),
    roomsPerGuest: z.array(limitSchema).optional(),
    privateApps: z.array(limitSchema).optional(),
    marketplaceApps: z.array(limitSchema).optional(),
    monthlyActiveContacts: z.array(limitSchema).optional(),
  }),
  cloudMeta: z.record(z.string(), z.unknown()).optional(),
});
export type LicenseV3Payload = z.infer<typeof licenseV3PayloadSchema>;
