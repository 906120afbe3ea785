import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useSsh } from '../../stores/ssh';
import { AuthPromptQueue } from './AuthPromptDialog';
import { HostKeyPanel, PANEL_ID } from './HostKeyPanel';
import { ManualReplaceDialog } from './ManualReplaceDialog';
import { ReplaceHostKeyDialog } from './ReplaceHostKeyDialog';
import './ssh.css';

/**
 * Everything the SSH layer asks of the admin, whatever page is open: the host-key badge
 * and tray, authentication questions, and the replace dialog opened from anywhere.
 */
export function SshPrompts() {
  const { load, panelOpen, replacing, closeReplace } = useSsh();
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <>
      <HostKeyBadge />
      {panelOpen && <HostKeyPanel />}
      <AuthPromptQueue />
      {replacing === 'manual' && <ManualReplaceDialog onClose={closeReplace} />}
      {replacing && replacing !== 'manual' && <ReplaceHostKeyDialog {...replacing} onClose={closeReplace} />}
    </>
  );
}

/** In the app frame under the navigation: how many keys wait, and how many hosts refuse a changed key. */
function HostKeyBadge() {
  const { t } = useTranslation();
  const { hostKeys, refused, panelOpen, setPanelOpen } = useSsh();
  const waiting = hostKeys.length;
  const attention = waiting > 0 || refused.length > 0;
  return (
    <button
      type="button"
      className={attention ? 'ssh-badge ssh-badge-attention' : 'ssh-badge'}
      data-testid="host-key-badge"
      aria-expanded={panelOpen}
      aria-controls={panelOpen ? PANEL_ID : undefined}
      onClick={() => setPanelOpen(!panelOpen)}
    >
      <span>{t('ssh.panel.title')}</span>
      {waiting > 0 && (
        <span className="ssh-count" data-testid="host-key-count" aria-label={t('ssh.panel.waiting', { count: waiting })}>
          {waiting}
        </span>
      )}
      {refused.length > 0 && (
        <span className="ssh-count ssh-count-danger" data-testid="refused-count" aria-label={t('ssh.panel.changed', { count: refused.length })}>
          {refused.length}
        </span>
      )}
    </button>
  );
}
