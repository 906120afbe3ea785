import { useTranslation } from 'react-i18next';
import { EmptyState } from '../../app/EmptyState';

export function OperationsPage() {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="page-title" data-testid="page-operations">
      <h1 id="page-title">{t('operations.title')}</h1>
      <EmptyState title={t('operations.empty')} hint={t('operations.emptyHint')} />
    </section>
  );
}
