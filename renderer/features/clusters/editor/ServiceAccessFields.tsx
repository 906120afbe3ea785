import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../../../ui/Field';
import type { MongoDraft, RocketchatDraft } from './cluster-draft';
import type { FieldErrors } from './field-errors';
import { SecretInput } from './SecretInput';

interface MongoFieldsProps {
  mongo: MongoDraft;
  hostNames: string[];
  errors: FieldErrors;
  onChange(mongo: MongoDraft): void;
}

/** Optional: how Switchboard reaches the cluster's MongoDB (directly or through an SSH tunnel). */
export function MongoFields({ mongo, hostNames, errors, onChange }: MongoFieldsProps) {
  const { t } = useTranslation();
  const set = (patch: Partial<MongoDraft>) => onChange({ ...mongo, ...patch });
  // A host that was renamed or removed stays selectable, so the schema can say what is wrong.
  const tunnelChoices = mongo.tunnelVia && !hostNames.includes(mongo.tunnelVia) ? [...hostNames, mongo.tunnelVia] : hostNames;
  return (
    <OptionalSection
      summary={t('clusters.editor.mongo')}
      initiallyOpen={mongo.url !== '' || mongo.username !== '' || !!mongo.password.stored}
      hasErrors={hasErrorsUnder(errors, 'mongo.')}
      testId="mongo-section"
    >
        <Field label={t('clusters.editor.mongoUrl')} errors={errors['mongo.url']} hint={t('clusters.editor.mongoUrlHint')} className="span-2">
          {(control) => (
            <input {...control} value={mongo.url} spellCheck={false} className="mono" placeholder="mongodb://10.0.1.10:27017/rocketchat" onChange={(e) => set({ url: e.target.value })} />
          )}
        </Field>
        <Field label={t('clusters.editor.mongoUser')} errors={errors['mongo.username']}>
          {(control) => <input {...control} value={mongo.username} spellCheck={false} onChange={(e) => set({ username: e.target.value })} />}
        </Field>
        <Field label={t('clusters.editor.mongoPassword')} errors={errors['mongo.password']}>
          {(control) => <SecretInput control={control} secret={mongo.password} onChange={(password) => set({ password })} />}
        </Field>
        <Field label={t('clusters.editor.tunnelVia')} errors={errors['mongo.tunnelVia']}>
          {(control) => (
            <select {...control} value={mongo.tunnelVia} onChange={(e) => set({ tunnelVia: e.target.value })}>
              <option value="">{t('clusters.editor.tunnelDirect')}</option>
              {tunnelChoices.filter((name) => name !== '').map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          )}
        </Field>
    </OptionalSection>
  );
}

interface RocketchatFieldsProps {
  rocketchat: RocketchatDraft;
  errors: FieldErrors;
  onChange(rocketchat: RocketchatDraft): void;
}

/** Optional: the Rocket.Chat admin account its REST API is called with. */
export function RocketchatFields({ rocketchat, errors, onChange }: RocketchatFieldsProps) {
  const { t } = useTranslation();
  const set = (patch: Partial<RocketchatDraft>) => onChange({ ...rocketchat, ...patch });
  return (
    <OptionalSection
      summary={t('clusters.editor.rocketchat')}
      initiallyOpen={rocketchat.adminUser !== '' || rocketchat.siteUrl !== '' || !!rocketchat.authToken.stored}
      hasErrors={hasErrorsUnder(errors, 'rocketchat.')}
      testId="rocketchat-section"
    >
        <Field label={t('clusters.editor.siteUrl')} errors={errors['rocketchat.siteUrl']} className="span-2">
          {(control) => (
            <input {...control} value={rocketchat.siteUrl} spellCheck={false} className="mono" placeholder="https://chat.example.com" onChange={(e) => set({ siteUrl: e.target.value })} />
          )}
        </Field>
        <Field label={t('clusters.editor.adminUser')} errors={errors['rocketchat.adminUser']}>
          {(control) => <input {...control} value={rocketchat.adminUser} spellCheck={false} onChange={(e) => set({ adminUser: e.target.value })} />}
        </Field>
        <Field label={t('clusters.editor.adminUserId')} errors={errors['rocketchat.adminUserId']}>
          {(control) => <input {...control} value={rocketchat.adminUserId} spellCheck={false} className="mono" onChange={(e) => set({ adminUserId: e.target.value })} />}
        </Field>
        <Field label={t('clusters.editor.authToken')} errors={errors['rocketchat.authToken']}>
          {(control) => <SecretInput control={control} secret={rocketchat.authToken} onChange={(authToken) => set({ authToken })} />}
        </Field>
    </OptionalSection>
  );
}

const hasErrorsUnder = (errors: FieldErrors, prefix: string) => Object.keys(errors).some((key) => key.startsWith(prefix));

interface OptionalSectionProps {
  summary: string;
  initiallyOpen: boolean;
  /** A section with a problem in it stays open, so the message is seen. */
  hasErrors: boolean;
  testId: string;
  children: ReactNode;
}

function OptionalSection({ summary, initiallyOpen, hasErrors, testId, children }: OptionalSectionProps) {
  const [open, setOpen] = useState(initiallyOpen);
  return (
    <details className="editor-section optional-section" open={open || hasErrors} onToggle={(e) => setOpen(e.currentTarget.open)} data-testid={testId}>
      <summary>{summary}</summary>
      <div className="pair-grid">{children}</div>
    </details>
  );
}
