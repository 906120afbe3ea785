import { AppError } from '../../../shared/contract/errors';
import type { Scenario, ScenarioOptions } from '../scenario';
import { buildVoms, type VomsOptions } from '../systems/voms';

/** A bad OTA update on a VOMS host (FIELD-NOTES §4), simulated: see systems/README-systems.md. */

const variants = {
  'backup-missing': 'no /opt/voms/bin/server.bak: roll back the release from /opt/voms-release-prev instead',
  'backup-bad':
    'server.bak holds 1.9.0-rc.2, an earlier build of the same bad update (the OTA ran twice): it crash-loops too, so a rollback to it fails its health gate and is undone',
  'clock-skew': "the host's clock is 5 minutes ahead (logins fail with 401/403 in the field)",
} as const;

function optionsFor(variant: string | undefined): VomsOptions {
  const options: VomsOptions = { ota: 'bad', backup: 'good', restart: 'on-failure' };
  switch (variant) {
    case undefined:
      return options;
    case 'backup-missing':
      return { ...options, backup: 'missing' };
    case 'backup-bad':
      return { ...options, backup: 'bad' };
    case 'clock-skew':
      return { ...options, clockSkewMs: 5 * 60_000 };
    default:
      throw new AppError('INVALID_INPUT', `voms-bad-ota has no variant "${variant}" (variants: ${Object.keys(variants).join(', ')})`, {
        variants: Object.keys(variants),
      });
  }
}

export const vomsBadOtaScenario: Scenario = {
  name: 'voms-bad-ota',
  description: 'VOMS host after a bad OTA: /opt/voms/bin/server 1.9.0 reports an error and crash-loops (Restart=on-failure); server.bak holds 1.8.3',
  variants,
  build: async (context, options: ScenarioOptions) => [await buildVoms(context, optionsFor(options.variant))],
};
