import { useTranslation } from 'react-i18next';
import { EmptyState } from '../../app/EmptyState';

export function ActivityPage() {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="page-title" data-testid="page-activity">
      <h1 id="page-title">{t('activity.title')}</h1>
      <EmptyState title={t('activity.empty')} hint={t('activity.emptyHint')} />
    </section>
  );
}
