import { useTranslation } from 'react-i18next';
import { useConnection } from '../stores/connection';

export function ConnectionBanner() {
  const { t } = useTranslation();
  const { state, tokenMissing } = useConnection();
  if (state === 'open') return null;
  const text = tokenMissing ? t('connection.tokenMissing') : t(`connection.${state}`);
  return (
    <div className={`banner banner-${state === 'unauthorized' ? 'error' : 'warn'}`} role="status" data-testid="connection-banner">
      {text}
    </div>
  );
}
