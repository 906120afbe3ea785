import { useEffect, useMemo } from 'react';
import { useInspect } from '../../stores/inspect';
import type { ClusterHealth } from '../clusters/list/HealthSummary';
import { countBySeverity } from './model/inspection';

/** The health summary of each listed cluster that has been inspected, read once from the main process and then kept live. */
export function useClusterHealth(names: readonly string[]): Record<string, ClusterHealth> {
  const clusters = useInspect((state) => state.clusters);
  const intervalSeconds = useInspect((state) => state.intervalSeconds);
  const key = names.join('\n');
  useEffect(() => {
    const load = useInspect.getState().load;
    for (const name of key.split('\n')) if (name) void load(name);
  }, [key]);
  return useMemo(() => {
    const health: Record<string, ClusterHealth> = {};
    for (const [name, entry] of Object.entries(clusters)) {
      if (!entry.inspection) continue;
      const counts = countBySeverity(entry.inspection.findings);
      health[name] = {
        p1: counts.P1,
        p2: counts.P2,
        p3: counts.P3,
        lastRound: new Date(entry.inspection.finishedAt).toISOString(),
        intervalSeconds,
        ...(entry.refreshError ? { refreshError: entry.refreshError } : {}),
      };
    }
    return health;
  }, [clusters, intervalSeconds]);
}
