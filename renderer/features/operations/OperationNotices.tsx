import { useTranslation } from 'react-i18next';
import { useNavigation } from '../../stores/navigation';
import { useOperations } from '../../stores/operations';

/**
 * In-app toasts for operations that finished or stopped on a failure, wherever the admin is.
 * Meant to be mounted once by the app frame.
 */
export function OperationNotices() {
  const { t } = useTranslation();
  const notices = useOperations((state) => state.notices);
  const dismiss = useOperations((state) => state.dismissNotice);
  const openOperation = useNavigation((state) => state.openOperation);
  if (notices.length === 0) return null;
  return (
    <div className="op-notices" role="status" aria-live="polite" data-testid="op-notices">
      {notices.map((notice) => (
        <div key={notice.id} className={`op-notice op-notice-${notice.ending}`} data-testid="op-notice" data-op={notice.opId} data-ending={notice.ending}>
          <p className="op-notice-title">{notice.title}</p>
          <p>{t(`operations.notice.${notice.ending}`, { cluster: notice.cluster, step: notice.stepTitle ?? '' })}</p>
          <div className="op-notice-actions">
            <button
              type="button"
              className="button button-small"
              onClick={() => {
                dismiss(notice.id);
                openOperation(notice.opId);
              }}
            >
              {t('operations.notice.open')}
            </button>
            <button type="button" className="link-button" onClick={() => dismiss(notice.id)}>
              {t('operations.notice.dismiss')}
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
