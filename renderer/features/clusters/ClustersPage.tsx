import { useTranslation } from 'react-i18next';
import { EmptyState } from '../../app/EmptyState';

export function ClustersPage() {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="page-title" data-testid="page-clusters">
      <h1 id="page-title">{t('clusters.title')}</h1>
      <EmptyState title={t('clusters.empty')} hint={t('clusters.emptyHint')} />
    </section>
  );
}
