import { useInspect } from '../../stores/inspect';
import { RefreshButton } from './RefreshButton';

/** The Refresh action of a cluster in the clusters list, with its own progress state. */
export function ClusterRefreshButton({ cluster, gridCol }: { cluster: string; gridCol?: string }) {
  const refreshing = useInspect((state) => !!state.clusters[cluster]?.refreshing);
  const refresh = useInspect((state) => state.refresh);
  return <RefreshButton cluster={cluster} refreshing={refreshing} onRefresh={() => void refresh(cluster)} small named gridCol={gridCol} />;
}
