import type { Cluster } from '../../../shared/inventory/schema';
import type { HostFileTransfer, HostRunner } from '../hosts/host-runner';
import type { InspectEngine } from '../inspect/engine';
import type { SecretStore } from '../inventory/secrets';
import type { MongoClients } from '../mongo/mongo-clients';
import { licenseFileKinds } from './file-kinds';
import { licenseKinds } from './kinds';
import { LicenseFiles } from './license-files';
import { RocketChatRest } from './rocketchat-rest';
import { LicenseVerifier } from './verifier';

export interface LicensePartsDeps {
  dataDir: string;
  runner: HostRunner & HostFileTransfer;
  secrets: SecretStore;
  mongo: Pick<MongoClients, 'db'>;
  inspect: Pick<InspectEngine, 'inspect'>;
  cluster(name: string): Promise<Cluster>;
  /** Between two verification rounds (tests use a short one). */
  verifyIntervalMs?: number;
}

/** What the app, the CLI and the tests build the same way: files, REST, verifier and the engine's kinds. */
export function licenseParts(deps: LicensePartsDeps) {
  const db = (cluster: Cluster) => deps.mongo.db(cluster);
  const files = new LicenseFiles(deps.dataDir);
  const rest = new RocketChatRest(deps.runner, deps.secrets);
  const verifier = new LicenseVerifier({ runner: deps.runner, inspect: deps.inspect, rest, db, expectedFileSha: (cluster, fingerprint) => files.stagedSha(cluster, fingerprint) });
  const rocketchat = licenseKinds({ cluster: deps.cluster, db, rest, files, verifier, ...(deps.verifyIntervalMs !== undefined ? { verifyIntervalMs: deps.verifyIntervalMs } : {}) });
  const fileKinds = licenseFileKinds({ runner: deps.runner, files, cluster: deps.cluster });
  const kinds = { executors: { ...rocketchat.executors, ...fileKinds.executors }, checks: { ...rocketchat.checks, ...fileKinds.checks } };
  return { db, files, rest, verifier, kinds };
}
