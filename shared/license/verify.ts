import type { NodeLicenseState, NodeVerification } from '../contract/license';

/**
 * Whether one Rocket.Chat node runs the license the cluster stores. Each node decides
 * read-only mode in its own memory (FIELD-NOTES §1), so every node is asked directly:
 * `licenses.info` says which license it applied, its log since its last start says whether
 * it is restricted, `/health` whether it serves at all.
 */

export interface NodeObservation {
  node: string;
  /** The SSH round reached the host; otherwise why not. */
  reached: boolean;
  reachError?: string;
  healthy?: boolean;
  healthDetail?: string;
  /** What `licenses.info` on this node reports, against the license expected. */
  license: NodeVerification['license'];
  licenseDetail?: string;
  /** The node's last word on the air-gapped restriction since its last start. */
  restriction?: 'applied' | 'removed';
}

export function nodeVerdict(observation: NodeObservation): NodeVerification {
  const { node, license } = observation;
  const base = {
    node,
    license,
    ...(observation.healthy !== undefined ? { healthy: observation.healthy } : {}),
    ...(observation.restriction !== undefined ? { readOnly: observation.restriction === 'applied' } : {}),
  };
  const state = (value: NodeLicenseState, detail: string): NodeVerification => ({ ...base, state: value, detail });
  if (!observation.reached) return state('down', `not reachable: ${observation.reachError ?? 'no answer'}`);
  if (observation.healthy === false) return state('down', `not healthy: ${observation.healthDetail ?? '/health did not answer OK'}`);
  if (observation.restriction === 'applied') {
    return state('stale', `still read-only (its log says "Restrictions applied" since its last start); licenses.info: ${describeLicense(observation)}`);
  }
  if (license === 'expected') return state('applied', 'runs the expected license and is writable');
  if (license === 'unknown') {
    return observation.restriction === 'removed'
      ? state('applied', `writable (its log says "Restrictions removed"); licenses.info could not be read: ${observation.licenseDetail ?? 'no credentials'}`)
      : state('unknown', `licenses.info could not be read (${observation.licenseDetail ?? 'no credentials'}) and its log says nothing about read-only mode`);
  }
  return state('stale', `licenses.info: ${describeLicense(observation)}; it applies the stored license when it starts again`);
}

function describeLicense(observation: NodeObservation): string {
  switch (observation.license) {
    case 'expected':
      return 'the expected license';
    case 'other':
      return 'another license';
    case 'none':
      return 'no license';
    case 'unknown':
      return `not read (${observation.licenseDetail ?? 'no credentials'})`;
  }
}

/** Nodes that answer but did not pick up the license: a restart makes them apply it. */
export function staleNodes(nodes: readonly NodeVerification[]): string[] {
  return nodes.filter((node) => node.state === 'stale').map((node) => node.node);
}

/** JSON with sorted keys, so two payloads compare by content, not by key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
