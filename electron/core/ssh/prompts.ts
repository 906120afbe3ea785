import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { AppError } from '../../../shared/contract/errors';

export interface AuthPrompt {
  prompt: string;
  /** False for secrets: the UI must mask the answer. */
  echo: boolean;
}

export type AuthPromptKind = 'passphrase' | 'keyboard-interactive' | 'password';

export interface AuthPromptRequest {
  kind: AuthPromptKind;
  /** `user@host:port` for server prompts, the key file for a passphrase. */
  target: string;
  title: string;
  instructions: string;
  prompts: AuthPrompt[];
}

export interface PendingAuthPrompt extends AuthPromptRequest {
  id: string;
  requestedAt: string;
}

/** Asks for the passphrase of a private key file; null when the admin declines. */
export type AskPassphrase = (keyPath: string) => Promise<string | null>;

/** Answers server prompts (keyboard-interactive, or a password); null when the admin declines. */
export type AnswerPrompts = (
  target: string,
  prompts: AuthPrompt[],
  context: { kind: 'keyboard-interactive' | 'password'; title: string; instructions: string },
) => Promise<string[] | null>;

interface Waiting {
  request: PendingAuthPrompt;
  resolve: (answers: string[] | null) => void;
}

/**
 * Authentication questions waiting for the admin: the app lists them, shows a dialog,
 * and answers through the contract. Answers are handed to the waiting connection and
 * not kept here.
 */
export class AuthPromptBroker {
  private readonly waiting = new Map<string, Waiting>();
  private readonly events = new EventEmitter();

  constructor(private readonly now: () => Date = () => new Date()) {}

  readonly askPassphrase: AskPassphrase = async (keyPath) => {
    const answers = await this.ask({
      kind: 'passphrase',
      target: keyPath,
      title: `Passphrase for ${keyPath}`,
      instructions: '',
      prompts: [{ prompt: `Enter passphrase for key '${keyPath}':`, echo: false }],
    });
    return answers?.[0] ?? null;
  };

  readonly answerPrompts: AnswerPrompts = (target, prompts, context) =>
    this.ask({ kind: context.kind, target, title: context.title, instructions: context.instructions, prompts });

  ask(request: AuthPromptRequest): Promise<string[] | null> {
    const pending: PendingAuthPrompt = { ...request, id: randomUUID(), requestedAt: this.now().toISOString() };
    return new Promise((resolve) => {
      this.waiting.set(pending.id, { request: pending, resolve });
      this.events.emit('pending', pending);
    });
  }

  pending(): PendingAuthPrompt[] {
    return [...this.waiting.values()].map(({ request }) => request);
  }

  /** Gives the answers (one per prompt) to the waiting connection. */
  answer(id: string, answers: string[]): void {
    const waiting = this.take(id);
    if (answers.length !== waiting.request.prompts.length) {
      this.waiting.set(id, waiting);
      throw new AppError(
        'INVALID_INPUT',
        `Expected ${waiting.request.prompts.length} answer(s), got ${answers.length}`,
      );
    }
    this.finish(waiting, answers);
  }

  /** The admin declined: the connection skips this method. */
  cancel(id: string): void {
    this.finish(this.take(id), null);
  }

  onPending(listener: (prompt: PendingAuthPrompt) => void): () => void {
    this.events.on('pending', listener);
    return () => this.events.off('pending', listener);
  }

  onResolved(listener: (resolved: { id: string; answered: boolean }) => void): () => void {
    this.events.on('resolved', listener);
    return () => this.events.off('resolved', listener);
  }

  private take(id: string): Waiting {
    const waiting = this.waiting.get(id);
    if (!waiting) throw new AppError('NOT_FOUND', 'No such pending prompt (already answered or expired)');
    this.waiting.delete(id);
    return waiting;
  }

  private finish(waiting: Waiting, answers: string[] | null): void {
    waiting.resolve(answers);
    this.events.emit('resolved', { id: waiting.request.id, answered: answers !== null });
  }
}
