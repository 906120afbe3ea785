import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LicenseSummaryView } from '../../../shared/contract/license';
import type { LocalizedText } from '../../../shared/localized';
import { uiLanguage } from '../inspect/model/finding-text';
import { formatTime } from '../rollback/rollback-view';
import { validityLeft } from './license-view';

/** What the license says, decoded (never its text), with the notice that the signature is Rocket.Chat's to verify. */
export function LicenseSummaryCard({ summary, fingerprint, notice }: { summary: LicenseSummaryView; fingerprint: string; notice: LocalizedText }) {
  const { t, i18n } = useTranslation();
  const language = uiLanguage(i18n.language);
  return (
    <section className="license-summary" aria-label={t('license.summary.title')} data-testid="license-summary" data-version={summary.version}>
      <h3>{t('license.summary.title')}</h3>
      {summary.version === 3 && <V3Facts summary={summary} />}
      {summary.version === 2 && <p>{t('license.summary.v2', { bytes: summary.encryptedBytes })}</p>}
      {summary.version === 'file' && (
        <p>
          {t('license.summary.file', { bytes: summary.bytes })} <span className="mono license-fingerprint">sha256 {summary.sha256}</span>
        </p>
      )}
      <dl className="facts license-facts">
        <dt>{t('license.summary.fingerprint')}</dt>
        <dd className="mono license-fingerprint" data-testid="license-fingerprint" title={fingerprint}>
          {fingerprint}
        </dd>
      </dl>
      <p className="license-notice" data-testid="license-notice">
        {notice[language]}
      </p>
      {summary.version === 3 && <p className="muted license-created">{t('license.summary.created', { time: formatTime(summary.createdAt, i18n.language) })}</p>}
    </section>
  );
}

type V3Summary = Extract<LicenseSummaryView, { version: 3 }>;

function V3Facts({ summary }: { summary: V3Summary }) {
  const { t, i18n } = useTranslation();
  // Days left as of when the license was read; they do not tick while the page is open.
  const [now] = useState(Date.now);
  // A lab or small shop often puts the same text in name and company: say it once.
  const issuedTo = [...new Set([summary.issuedTo.name, summary.issuedTo.company, summary.issuedTo.email].filter((part): part is string => !!part))];
  const limits = Object.entries(summary.limits).flatMap(([kind, list]) => list.map((limit) => ({ kind, ...limit })));
  return (
    <dl className="facts license-facts">
      <dt>{t('license.summary.type')}</dt>
      <dd data-testid="license-type" data-type={summary.type}>
        {t(`license.type.${summary.type}`)}
      </dd>
      <dt>{t('license.summary.issuedTo')}</dt>
      <dd>{issuedTo.length > 0 ? issuedTo.join(' · ') : <span className="muted">{t('license.summary.notStated')}</span>}</dd>
      <dt>{t('license.summary.sites')}</dt>
      <dd>
        {summary.serverUrls.length === 0 ? (
          <span className="muted">{t('license.summary.anySite')}</span>
        ) : (
          <ul className="license-list">
            {summary.serverUrls.map((url) => (
              <li key={`${url.type}:${url.value}`}>
                <span className="mono">{url.value}</span> <span className="badge">{url.type}</span>
              </li>
            ))}
          </ul>
        )}
      </dd>
      <dt>{t('license.summary.validity')}</dt>
      <dd>
        <ul className="license-list" data-testid="license-periods">
          {summary.validPeriods.map((period, index) => {
            const left = validityLeft(period.validUntil, now);
            return (
              <li key={index}>
                {t('license.summary.period', {
                  from: period.validFrom ? formatTime(period.validFrom, i18n.language) : t('license.summary.always'),
                  until: period.validUntil ? formatTime(period.validUntil, i18n.language) : t('license.summary.never'),
                })}{' '}
                {left !== undefined && (
                  <span className={left.expired ? 'license-expired' : 'muted'} data-testid="license-days-left" data-expired={left.expired} data-days={left.days}>
                    {left.expired ? t('license.summary.expiredAgo', { count: left.days }) : t('license.summary.daysLeft', { count: left.days })}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      </dd>
      <dt>{t('license.summary.modules')}</dt>
      <dd>
        {summary.modules.length === 0 ? (
          <span className="muted">{t('license.summary.none')}</span>
        ) : (
          <span className="chips">
            {summary.modules.map((module) => (
              <span key={module} className="badge mono">
                {module}
              </span>
            ))}
          </span>
        )}
      </dd>
      <dt>{t('license.summary.limits')}</dt>
      <dd>
        {limits.length === 0 ? (
          <span className="muted">{t('license.summary.none')}</span>
        ) : (
          <ul className="license-list">
            {limits.map((limit, index) => (
              <li key={`${limit.kind}-${index}`}>
                {t('license.summary.limit', { kind: limit.kind, max: limit.max < 0 ? t('license.summary.unlimited') : limit.max, behavior: limit.behavior })}
              </li>
            ))}
          </ul>
        )}
      </dd>
    </dl>
  );
}
