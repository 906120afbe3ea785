import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuthPromptItem } from '../../../shared/contract';
import { useSsh } from '../../stores/ssh';
import { Dialog } from '../../ui/Dialog';
import { errorMessage } from '../../ui/error-message';
import { Field } from '../../ui/Field';

/** Shows the oldest pending authentication question; the next one follows when it is answered or declined. */
export function AuthPromptQueue() {
  const prompts = useSsh((s) => s.prompts);
  const first = prompts[0];
  if (!first) return null;
  // A new key per prompt: the typed answers of one never survive into the next.
  return <AuthPromptDialog key={first.id} prompt={first} position={1} total={prompts.length} />;
}

function AuthPromptDialog({ prompt, position, total }: { prompt: AuthPromptItem; position: number; total: number }) {
  const { t } = useTranslation();
  const { answerPrompt, cancelPrompt } = useSsh();
  // Answers live only in this dialog's state, and are cleared once sent.
  const [answers, setAnswers] = useState<string[]>(() => prompt.prompts.map(() => ''));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const send = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const sending = answers;
    setAnswers(prompt.prompts.map(() => ''));
    try {
      await answerPrompt(prompt.id, sending);
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  };

  const cancel = () => {
    if (busy) return;
    setBusy(true);
    cancelPrompt(prompt.id).catch((failure: unknown) => {
      setError(errorMessage(failure));
      setBusy(false);
    });
  };

  // The main process titles a nameless server question "Login to TARGET"; the line above already says that.
  const serverTitle = prompt.title.trim() === `Login to ${prompt.target}` ? '' : prompt.title.trim();
  return (
    <Dialog title={t(`ssh.prompt.title.${prompt.kind}`)} onClose={cancel} testId="auth-prompt-dialog">
      <form onSubmit={(event) => void send(event)} noValidate>
        <p className="dialog-text">
          {t(prompt.kind === 'passphrase' ? 'ssh.prompt.forKey' : 'ssh.prompt.forTarget', { target: prompt.target })}
        </p>
        {total > 1 && (
          <p className="dialog-text muted" data-testid="prompt-queue">
            {t('ssh.prompt.queue', { position, total })}
          </p>
        )}
        {serverTitle && prompt.kind !== 'passphrase' && (
          <p className="dialog-text ssh-server-text" data-testid="prompt-server-title">
            {serverTitle}
          </p>
        )}
        {prompt.instructions.trim() && (
          <p className="dialog-text ssh-server-text preformatted" data-testid="prompt-instructions">
            {prompt.instructions}
          </p>
        )}
        {error && (
          <p className="banner banner-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-fields">
          {prompt.prompts.map((question, index) => (
            <Field key={index} label={question.prompt.trim() || t('ssh.prompt.answer')}>
              {(control) => (
                <input
                  {...control}
                  type={question.echo ? 'text' : 'password'}
                  autoFocus={index === 0}
                  autoComplete="off"
                  spellCheck={false}
                  data-testid="prompt-answer"
                  value={answers[index] ?? ''}
                  onChange={(event) => setAnswers((current) => current.map((value, i) => (i === index ? event.target.value : value)))}
                />
              )}
            </Field>
          ))}
        </div>
        <p className="muted ssh-prompt-note">{t('ssh.prompt.notKept')}</p>
        <div className="dialog-actions">
          <button type="button" className="button" disabled={busy} onClick={cancel}>
            {t('ssh.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('ssh.prompt.send')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
