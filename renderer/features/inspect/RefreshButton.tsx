import { useTranslation } from 'react-i18next';
import './inspect.css';

interface RefreshButtonProps {
  cluster: string;
  refreshing: boolean;
  onRefresh(): void;
  small?: boolean;
  /** Name the cluster in the accessible name (in a list of clusters). */
  named?: boolean;
  gridCol?: string;
}

/** Runs one round now; busy (and not clickable twice) while the round runs. */
export function RefreshButton({ cluster, refreshing, onRefresh, small, named, gridCol }: RefreshButtonProps) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      className={small ? 'button button-small' : 'button button-primary'}
      data-testid="refresh-button"
      data-grid-col={gridCol}
      aria-busy={refreshing || undefined}
      aria-label={named ? t('inspect.refreshNamed', { name: cluster }) : undefined}
      // aria-disabled, not disabled: a keyboard user keeps focus on the button while the round runs.
      aria-disabled={refreshing || undefined}
      onClick={() => {
        if (!refreshing) onRefresh();
      }}
    >
      {refreshing && <span className="spinner" aria-hidden="true" />}
      {refreshing ? t('inspect.refreshing') : t('inspect.refresh')}
    </button>
  );
}
