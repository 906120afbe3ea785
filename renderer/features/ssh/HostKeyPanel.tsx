import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { useSsh } from '../../stores/ssh';
import { errorMessage } from '../../ui/error-message';
import { Fingerprint } from './Fingerprint';
import { hostPort, replacementFor } from './host-key-change';
import { PendingHostKeyList } from './PendingHostKeyList';

export const PANEL_ID = 'ssh-host-key-panel';

/**
 * The tray of host keys that wait for the admin, beside the page (not modal: the admin
 * may look things up elsewhere while deciding). Decides many at once; lists refused
 * changed keys with a way to replace them.
 */
export function HostKeyPanel() {
  const { t } = useTranslation();
  const { hostKeys, refused, error, approve, reject, setPanelOpen, openReplace } = useSsh();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [failure, setFailure] = useState<string>();
  const titleId = useId();
  const selectAll = useRef<HTMLInputElement>(null);

  // Keys resolved elsewhere (another window, a timeout) leave the selection too.
  const live = new Set(hostKeys.map((item) => item.id));
  const chosen = [...selected].filter((id) => live.has(id));
  const allChosen = hostKeys.length > 0 && chosen.length === hostKeys.length;
  useEffect(() => {
    if (selectAll.current) selectAll.current.indeterminate = chosen.length > 0 && !allChosen;
  }, [chosen.length, allChosen]);

  const toggle = (id: string, checked: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (checked) next.add(id);
      else next.delete(id);
      return next;
    });

  const decide = async (decision: 'trust' | 'refuse') => {
    setBusy(true);
    setFailure(undefined);
    try {
      const done = decision === 'trust' ? await approve(chosen) : await reject(chosen);
      setSelected(new Set());
      setNotice(t(decision === 'trust' ? 'ssh.keys.trusted' : 'ssh.keys.refused', { count: done.length }));
    } catch (problem) {
      setFailure(errorMessage(problem));
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') setPanelOpen(false);
  };

  return (
    <aside id={PANEL_ID} className="ssh-panel" aria-labelledby={titleId} data-testid="host-key-panel" onKeyDown={onKeyDown}>
      <header className="ssh-panel-header">
        <h2 id={titleId}>{t('ssh.panel.title')}</h2>
        <button type="button" className="button button-small" onClick={() => setPanelOpen(false)}>
          {t('ssh.close')}
        </button>
      </header>
      <p className="visually-hidden" role="status">
        {notice}
      </p>
      {(error ?? failure) && (
        <p className="banner banner-error" role="alert">
          {error ?? failure}
        </p>
      )}

      <section className="ssh-panel-section" aria-label={t('ssh.keys.title')}>
        <h3>{t('ssh.keys.heading', { n: hostKeys.length })}</h3>
        {hostKeys.length === 0 ? (
          <p className="muted" data-testid="no-pending-keys">
            {t('ssh.keys.none')}
          </p>
        ) : (
          <>
            <p className="ssh-explain">
              <Trans i18nKey="ssh.keys.explain" values={{ command: 'ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub' }} components={{ code: <code /> }} />
            </p>
            <div className="ssh-key-toolbar">
              <label className="ssh-select-all">
                <input
                  ref={selectAll}
                  type="checkbox"
                  checked={allChosen}
                  onChange={(event) => setSelected(event.target.checked ? new Set(live) : new Set())}
                />
                {t('ssh.keys.selectAll')}
              </label>
              <span className="muted" data-testid="selected-count">
                {t('ssh.keys.selected', { n: chosen.length })}
              </span>
              <span className="spacer" />
              <button type="button" className="button button-danger" disabled={busy || chosen.length === 0} onClick={() => void decide('refuse')}>
                {t('ssh.keys.refuse')}
              </button>
              <button type="button" className="button button-primary" disabled={busy || chosen.length === 0} onClick={() => void decide('trust')}>
                {t('ssh.keys.trust')}
              </button>
            </div>
            <PendingHostKeyList items={hostKeys} selected={selected} onToggle={toggle} />
          </>
        )}
      </section>

      {refused.length > 0 && (
        <section className="ssh-panel-section ssh-refused" aria-label={t('ssh.refused.title')} data-testid="refused-host-keys">
          <h3>{t('ssh.refused.heading', { n: refused.length })}</h3>
          <p className="ssh-explain">{t('ssh.refused.explain')}</p>
          <ul className="ssh-refused-list">
            {refused.map((refusal) => {
              const target = hostPort(refusal.host, refusal.port);
              return (
                <li key={`${refusal.cluster}/${refusal.hostName}`} className="ssh-refused-row" data-testid="refused-host-key" data-target={target}>
                  <div className="ssh-key-head">
                    <span className="ssh-key-target">{target}</span>
                    <span className="badge ssh-key-type">{refusal.keyType}</span>
                    <span className="muted">{t('ssh.refused.seenIn', { cluster: refusal.cluster, host: refusal.hostName })}</span>
                  </div>
                  <div className="ssh-refused-prints">
                    <span className="muted">{t('ssh.refused.known')}</span>
                    <span>
                      {refusal.knownFingerprints.map((value) => (
                        <Fingerprint key={value} value={value} />
                      ))}
                    </span>
                    <span className="muted">{t('ssh.refused.presented')}</span>
                    <Fingerprint value={refusal.presentedFingerprint} />
                  </div>
                  <button type="button" className="button button-small button-danger" onClick={() => openReplace(replacementFor(refusal))}>
                    {t('ssh.refused.replace')}
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
      )}

      <footer className="ssh-panel-footer">
        <button type="button" className="button" onClick={() => openReplace('manual')}>
          {t('ssh.panel.replaceManual')}
        </button>
      </footer>
    </aside>
  );
}
