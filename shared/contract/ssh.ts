import { z } from 'zod';
import { defineCall, defineEvent } from './define';

const none = z.object({}).strict();
const id = z.string().min(1).max(100);
const port = z.number().int().min(1).max(65535);

export const pendingHostKeySchema = z.object({
  id,
  host: z.string(),
  port,
  /** e.g. `ssh-ed25519`. */
  keyType: z.string(),
  /** OpenSSH format: `SHA256:` + unpadded base64. */
  fingerprint: z.string(),
  /** Base64 of the public key blob. */
  publicKey: z.string(),
  /** The jump chain the connection came through. */
  via: z.string().optional(),
  /** Key types already trusted for this host. */
  knownTypes: z.array(z.string()),
  requestedAt: z.string(),
});
export type PendingHostKeyItem = z.infer<typeof pendingHostKeySchema>;

export const authPromptSchema = z.object({
  id,
  kind: z.enum(['passphrase', 'keyboard-interactive', 'password']),
  /** `user@host:port`, or the key file for a passphrase. */
  target: z.string(),
  title: z.string(),
  instructions: z.string(),
  /** `echo: false` means a secret: mask the field. */
  prompts: z.array(z.object({ prompt: z.string(), echo: z.boolean() })),
  requestedAt: z.string(),
});
export type AuthPromptItem = z.infer<typeof authPromptSchema>;

export const sshLogEntrySchema = z.object({
  seq: z.number().int(),
  time: z.string(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  event: z.string(),
  target: z.string().optional(),
  message: z.string(),
});
export type SshLogEntryItem = z.infer<typeof sshLogEntrySchema>;

const ids = z.object({ ids: z.array(id).min(1).max(10_000) }).strict();

export const hostKeyCalls = {
  pending: defineCall(
    'Host keys seen for the first time, waiting for the admin',
    none,
    z.object({ items: z.array(pendingHostKeySchema) }),
  ),
  approve: defineCall(
    'Trust these first-use host keys (any number at once); waiting connections proceed',
    ids,
    z.object({ approved: z.array(id) }),
  ),
  reject: defineCall(
    'Refuse these first-use host keys; waiting connections fail',
    ids,
    z.object({ rejected: z.array(id) }),
  ),
  replace: defineCall(
    'Replace a changed host key, after the admin verified the change out of band',
    z
      .object({
        host: z.string().min(1).max(255),
        port,
        keyType: z.string().min(1).max(100),
        publicKey: z.string().min(1).max(16_384),
        /** The fingerprint the admin was shown; must match publicKey. */
        fingerprint: z.string().min(1).max(100),
      })
      .strict(),
    z.object({ fingerprint: z.string() }),
  ),
};

export const sshCalls = {
  pendingPrompts: defineCall(
    'Authentication questions (passphrase, password, keyboard-interactive) waiting for the admin',
    none,
    z.object({ items: z.array(authPromptSchema) }),
  ),
  answerPrompt: defineCall(
    'Answer a pending authentication question, one answer per prompt',
    z.object({ id, answers: z.array(z.string().max(4096)).max(32) }).strict(),
    z.object({}),
  ),
  cancelPrompt: defineCall('Decline a pending authentication question', z.object({ id }).strict(), z.object({})),
  debugLog: defineCall(
    'The SSH connection lifecycle log, secrets redacted (oldest first)',
    z
      .object({
        afterSeq: z.number().int().min(0).optional(),
        limit: z.number().int().min(1).max(5000).optional(),
      })
      .strict(),
    z.object({ entries: z.array(sshLogEntrySchema) }),
  ),
};

export const sshEvents = {
  hostKeyPending: defineEvent('A host key seen for the first time waits for the admin', pendingHostKeySchema),
  hostKeyResolved: defineEvent(
    'A pending host key was approved or rejected',
    z.object({ id, approved: z.boolean() }),
  ),
  authPromptPending: defineEvent('An authentication question waits for the admin', authPromptSchema),
  authPromptResolved: defineEvent(
    'A pending authentication question was answered or declined',
    z.object({ id, answered: z.boolean() }),
  ),
};
