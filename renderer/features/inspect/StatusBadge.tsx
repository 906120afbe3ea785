import { useTranslation } from 'react-i18next';
import type { HostState } from '../../../shared/contract/inspect';

/** A node's worst severity, or ok / unknown, as a coloured dot and a word (never colour alone). */
export function StatusBadge({ status }: { status: HostState['status'] }) {
  const { t } = useTranslation();
  return (
    <span className={`node-status node-status-${status.toLowerCase()}`} data-testid="node-status" data-status={status}>
      <span className="status-dot" aria-hidden="true" />
      {t(`inspect.status.${status}`)}
    </span>
  );
}
