import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../ui/Dialog';
import { Field } from '../../ui/Field';

/** The engine keeps a reason of 3 to 500 characters with every skip and close. */
const minReason = 3;
const maxReason = 500;

/** Asks why, before a step is skipped or an operation closed as it stands; the reason goes into the journal. */
export function ReasonDialog({
  title,
  text,
  confirmLabel,
  onClose,
  onConfirm,
}: {
  title: string;
  text: ReactNode;
  confirmLabel: string;
  onClose(): void;
  onConfirm(reason: string): Promise<void> | void;
}) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const valid = reason.trim().length >= minReason;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (valid) void onConfirm(reason.trim());
  };
  return (
    <Dialog title={title} onClose={onClose} testId="op-reason-dialog">
      <form onSubmit={submit}>
        <div className="dialog-text">{text}</div>
        <div className="dialog-fields">
          <Field label={t('operations.reason.label')} hint={t('operations.reason.hint', { min: minReason })}>
            {(control) => (
              <textarea {...control} autoFocus rows={3} maxLength={maxReason} value={reason} data-testid="op-reason" onChange={(event) => setReason(event.target.value)} />
            )}
          </Field>
        </div>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            {t('operations.cancel')}
          </button>
          <button type="submit" className="button button-primary" data-testid="op-reason-confirm" disabled={!valid}>
            {confirmLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Says what a command will do before it is sent. */
export function ConfirmDialog({
  title,
  confirmLabel,
  danger,
  onClose,
  onConfirm,
  children,
}: {
  title: string;
  confirmLabel: string;
  danger?: boolean;
  onClose(): void;
  onConfirm(): Promise<void> | void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Dialog title={title} onClose={onClose} testId="op-confirm-dialog">
      {children}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose} autoFocus>
          {t('operations.cancel')}
        </button>
        <button type="button" className={danger ? 'button button-danger-solid' : 'button button-primary'} data-testid="op-confirm" onClick={() => void onConfirm()}>
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
