import { useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HostDetail, HostState } from '../../../shared/contract/inspect';
import type { Finding } from '../../../shared/stacks/findings';
import { api } from '../../api/client';
import { errorMessage } from '../../ui/error-message';
import { RollbackDialog } from '../rollback/RollbackDialog';
import { FactTree } from './FactTree';
import { FindingCard } from './FindingCard';
import type { FindingActions } from './FixAction';
import { LogsPanel } from './LogsPanel';
import { formatLoad, formatPercent, formatUptime } from './model/format';
import { Sparkline } from './Sparkline';
import { StatusBadge } from './StatusBadge';
import { Breadcrumb } from '../../ui/Breadcrumb';

interface NodeViewProps {
  cluster: string;
  /** The node as the latest round saw it (undefined when the round has no such node). */
  host: HostState | undefined;
  hostName: string;
  /** The round shown: a new round reloads the facts, raw output and logs. */
  round: number | undefined;
  findings: readonly Finding[];
  actions: FindingActions;
  onBack(): void;
}

const FOLLOW_INTERVAL_MS = 2000;

/** One node: its findings, history, facts per probe, raw probe output and log. */
export function NodeView({ cluster, host, hostName, round, findings, actions, onBack }: NodeViewProps) {
  const { t, i18n } = useTranslation();
  const [detail, setDetail] = useState<HostDetail | null>();
  const [failure, setFailure] = useState<string>();
  const [rollingBack, setRollingBack] = useState(false);

  useEffect(() => {
    let current = true;
    api.inspect.host({ cluster, host: hostName }).then(
      (answer) => {
        if (!current) return;
        setDetail(answer);
        setFailure(undefined);
      },
      (error: unknown) => current && setFailure(errorMessage(error)),
    );
    return () => {
      current = false;
    };
  }, [cluster, hostName, round]);

  // Live follow: read the service logs again every few seconds while the node is open.
  const [following, setFollowing] = useState(false);
  useEffect(() => {
    if (!following) return;
    let stopped = false;
    const timer = window.setInterval(() => {
      api.inspect.logs({ cluster, host: hostName }).then(
        (fresh) => {
          if (stopped) return;
          setDetail((current) => (current ? { ...current, facts: { ...current.facts, ...fresh.facts }, raw: { ...current.raw, ...fresh.raw } } : current));
          setFailure(undefined);
        },
        (error: unknown) => !stopped && setFailure(errorMessage(error)),
      );
    }, FOLLOW_INTERVAL_MS);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [following, cluster, hostName]);

  const mine = useMemo(() => findings.filter((finding) => finding.hosts.includes(hostName)), [findings, hostName]);
  const state = host ?? detail?.state;
  const dash = <span className="muted">—</span>;

  return (
    <section className="node-view" aria-labelledby="page-title" data-testid="node-view" data-host={hostName}>
      <Breadcrumb label={t('inspect.node.backTo', { cluster })} navLabel={t('inspect.breadcrumb')} onBack={onBack} testId="back-to-cluster" />
      <header className="inspect-title-row">
        <h1 id="page-title" className="inspect-title">
          {hostName}
        </h1>
        {state && <StatusBadge status={state.status} />}
        {/* The VOMS profile's OTA-managed server runs on hosts with the voms role. */}
        {state?.roles.includes('voms') && (
          <button type="button" className="button button-small" data-testid="rollback-open" onClick={() => setRollingBack(true)}>
            {t('rollback.open')}
          </button>
        )}
      </header>
      {rollingBack && <RollbackDialog cluster={cluster} host={hostName} onClose={() => setRollingBack(false)} />}
      {failure && (
        <p className="banner banner-error" role="alert">
          {t('inspect.loadFailed', { error: failure })}
        </p>
      )}
      {detail === null && !host && <p className="banner banner-warn">{t('inspect.node.missing', { cluster, name: hostName })}</p>}
      {detail === undefined && !failure && <p className="muted">{t('inspect.node.loading')}</p>}
      {state && (
        <>
          {!state.reach.ok && (
            <p className="banner banner-error" data-testid="node-unreachable">
              {t('inspect.node.unreachable', { code: state.reach.code, message: state.reach.message })}
            </p>
          )}
          <dl className="facts node-summary" data-testid="node-summary">
            <dt>{t('inspect.node.address')}</dt>
            <dd className="mono">{state.address}</dd>
            <dt>{t('inspect.node.roles')}</dt>
            <dd className="mono">{state.roles.length > 0 ? state.roles.join(', ') : t('inspect.node.noRoles')}</dd>
            <dt>{t('inspect.columns.version')}</dt>
            <dd>{state.version ?? dash}</dd>
            <dt>{t('inspect.columns.uptime')}</dt>
            <dd data-testid="node-uptime">{state.uptimeSeconds === undefined ? dash : formatUptime(state.uptimeSeconds, t)}</dd>
            <dt>{t('inspect.columns.load')}</dt>
            <dd data-testid="node-load">{state.load1 === undefined ? dash : formatLoad(state.load1)}</dd>
            <dt>{t('inspect.columns.memory')}</dt>
            <dd data-testid="node-memory">{state.memUsedPercent === undefined ? dash : formatPercent(state.memUsedPercent)}</dd>
            <dt>{t('inspect.node.probedAt')}</dt>
            <dd>{new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(state.probedAt))}</dd>
            {state.roundTripMs !== undefined && (
              <>
                <dt>{t('inspect.node.roundTrip')}</dt>
                <dd>{t('inspect.node.roundTripMs', { ms: Math.round(state.roundTripMs) })}</dd>
              </>
            )}
          </dl>
        </>
      )}
      {detail && (
        <>
          <section className="node-section" data-testid="node-history">
            <h2>{t('inspect.node.history')}</h2>
            <div className="sparklines">
              <Sparkline label={t('inspect.node.historyLoad')} values={detail.history.map((sample) => sample.load1)} format={formatLoad} testId="sparkline-load" />
              <Sparkline label={t('inspect.node.historyMemory')} values={detail.history.map((sample) => sample.memUsedPercent)} max={100} format={formatPercent}
                testId="sparkline-memory" />
            </div>
          </section>
          <section className="node-section" data-testid="node-findings">
            <h2>{t('inspect.node.findings')}</h2>
            {mine.length === 0 ? (
              <p className="empty-hint">{t('inspect.node.noFindings')}</p>
            ) : (
              <div className="finding-list">
                {mine.map((finding) => (
                  <FindingCard key={finding.key} finding={finding} actions={actions} currentHost={hostName} />
                ))}
              </div>
            )}
          </section>
          <FactsSection detail={detail} />
          <RawSection detail={detail} />
          <LogsPanel detail={detail} following={following} onFollowingChange={setFollowing} />
        </>
      )}
    </section>
  );
}

function FactsSection({ detail }: { detail: HostDetail }) {
  const { t } = useTranslation();
  const titleId = useId();
  const ids = Object.keys(detail.facts).sort();
  return (
    <section className="node-section" aria-labelledby={titleId} data-testid="node-facts">
      <h2 id={titleId}>{t('inspect.node.facts')}</h2>
      {ids.length === 0 ? (
        <p className="empty-hint">{t('inspect.node.noFacts')}</p>
      ) : (
        <dl className="probe-facts">
          {ids.map((id) => {
            const fact = detail.facts[id];
            if (!fact) return null;
            return (
              <div key={id} className="probe-fact" data-testid="fact" data-probe={id} data-fact-status={fact.status}>
                <dt className="mono">{id}</dt>
                <dd>
                  {fact.status === 'ok' ? (
                    <FactTree value={fact.value} />
                  ) : (
                    <>
                      <span className="fact-unknown">{t('inspect.node.unknownFact', { reason: fact.reason })}</span>
                      {fact.excerpt && <pre className="evidence-text">{fact.excerpt}</pre>}
                    </>
                  )}
                </dd>
              </div>
            );
          })}
        </dl>
      )}
    </section>
  );
}

function RawSection({ detail }: { detail: HostDetail }) {
  const { t } = useTranslation();
  const titleId = useId();
  const ids = Object.keys(detail.raw).sort();
  if (ids.length === 0) return null;
  return (
    <section className="node-section" aria-labelledby={titleId} data-testid="node-raw">
      <h2 id={titleId}>{t('inspect.node.raw')}</h2>
      {ids.map((id) => {
        const raw = detail.raw[id];
        if (!raw) return null;
        return (
          <details key={id} className="raw-output" data-testid="raw-output" data-probe={id}>
            <summary>
              <span className="mono">{id}</span>{' '}
              <span className="muted">{raw.exitCode === null ? t('inspect.node.noExitCode') : t('inspect.node.exitCode', { code: raw.exitCode })}</span>
            </summary>
            <pre className="evidence-text">{raw.output === '' ? t('inspect.node.noOutput') : raw.output}</pre>
          </details>
        );
      })}
    </section>
  );
}
