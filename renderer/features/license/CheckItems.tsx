import { useTranslation } from 'react-i18next';
import type { LicenseCheckItemView } from '../../../shared/contract/license';
import { uiLanguage } from '../inspect/model/finding-text';
import { groupByLevel } from './license-view';

/** The checks grouped red, amber, green, info; each amber item has its own acknowledgement box. */
export function CheckItems({ items, acknowledged, onAcknowledge }: { items: readonly LicenseCheckItemView[]; acknowledged: ReadonlySet<string>; onAcknowledge(id: string, on: boolean): void }) {
  const { t, i18n } = useTranslation();
  const language = uiLanguage(i18n.language);
  return (
    <section className="license-checks" aria-label={t('license.check.items')}>
      {groupByLevel(items).map((group) => (
        <div key={group.level} className="license-check-group" data-testid="license-check-group" data-level={group.level}>
          <h3 className={`license-level license-level-${group.level}`}>{t(`license.level.${group.level}`, { count: group.items.length })}</h3>
          <ul className="license-check-list">
            {group.items.map((item) => (
              <li key={item.id} className={`license-check license-check-${item.level}`} data-testid="license-check-item" data-check={item.id} data-level={item.level}>
                <span className="license-check-text">{item.message[language]}</span>
                {item.level === 'amber' && (
                  <label className="license-acknowledge">
                    <input type="checkbox" checked={acknowledged.has(item.id)} data-testid="license-acknowledge" data-check={item.id} onChange={(event) => onAcknowledge(item.id, event.target.checked)} />
                    {t('license.check.acknowledge')}
                  </label>
                )}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
