import { useTranslation } from 'react-i18next';
import type { Finding } from '../../../shared/stacks/findings';
import { findingText, uiLanguage } from './model/finding-text';
import { FixAction, type FindingActions } from './FixAction';

/** One finding: title in the UI language, hosts, why, what to do, evidence on demand, and the fix. */
interface FindingCardProps {
  finding: Finding;
  actions: FindingActions;
  /** The node whose page shows the card (its own hosts line and "Open the node" are left out). */
  currentHost?: string;
}

export function FindingCard({ finding, actions, currentHost }: FindingCardProps) {
  const { t, i18n } = useTranslation();
  const text = findingText(finding, uiLanguage(i18n.language));
  return (
    <article className={`finding finding-${finding.severity.toLowerCase()}`} data-testid="finding" data-rule={finding.ruleId} data-severity={finding.severity}>
      <header className="finding-head">
        <span className={`badge badge-${finding.severity.toLowerCase()}`}>{finding.severity}</span>
        <h3 className="finding-title" data-testid="finding-title">
          {text.title}
        </h3>
      </header>
      {finding.hosts.length > 0 && !(finding.hosts.length === 1 && finding.hosts[0] === currentHost) && (
        <p className="finding-hosts">
          <span className="muted">{t('inspect.findings.hosts')}:</span>{' '}
          {finding.hosts.map((host, index) => (
            <span key={host}>
              {index > 0 && ', '}
              <button type="button" className="link-button mono" data-testid="finding-host" onClick={() => actions.openHost(host)}>
                {host}
              </button>
            </span>
          ))}
        </p>
      )}
      {text.why && (
        <p className="finding-text">
          <span className="finding-label">{t('inspect.findings.why')}:</span> {text.why}
        </p>
      )}
      {text.action && (
        <p className="finding-text">
          <span className="finding-label">{t('inspect.findings.action')}:</span> {text.action}
        </p>
      )}
      <div className="finding-foot">
        <details className="evidence" data-testid="finding-evidence">
          <summary>{t('inspect.findings.evidence')}</summary>
          <pre className="evidence-text">{finding.evidence}</pre>
        </details>
        <FixAction finding={finding} actions={actions} currentHost={currentHost} />
      </div>
    </article>
  );
}
