import type { AnyAuthMethod, AuthHandlerMiddleware, KeyboardInteractiveCallback, Prompt } from 'ssh2';
import { AppError } from '../../../shared/contract/errors';
import { agentSources } from './agent';
import type { PrivateKeyLoader } from './keys';
import type { SshDebugLog } from './log';
import type { AnswerPrompts, AuthPrompt } from './prompts';
import type { SshAuthConfig, SshHop } from './target';

export interface AuthDeps {
  keys: PrivateKeyLoader;
  answerPrompts?: AnswerPrompts;
  log: SshDebugLog;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
}

/** What happened during one authentication, for the error a caller sees. */
export interface AuthRecord {
  /** Methods the server offered (learned from its answer to `none`). */
  offered: string[];
  /** Methods tried, in order, e.g. `publickey (agent)`, `publickey (/home/a/.ssh/id_ed25519)`. */
  tried: string[];
  /** Candidates not tried and why (never a secret). */
  skipped: string[];
  exhausted: boolean;
}

type Stage =
  | { kind: 'agent'; source: string }
  | { kind: 'key'; path: string }
  | { kind: 'keyboard-interactive' }
  | { kind: 'password' };

/** The server method each stage uses. */
function methodOf(stage: Stage): string {
  return stage.kind === 'agent' || stage.kind === 'key' ? 'publickey' : stage.kind;
}

/** OpenSSH's order: agent keys, key files, keyboard-interactive, password. */
function stagesFor(auth: SshAuthConfig, deps: AuthDeps): Stage[] {
  const stages: Stage[] = [];
  for (const source of agentSources(auth.agent, deps.env, deps.platform)) stages.push({ kind: 'agent', source });
  for (const path of auth.identityFiles ?? []) stages.push({ kind: 'key', path });
  const canAnswer = deps.answerPrompts !== undefined || auth.password !== undefined;
  if (auth.keyboardInteractive !== false && canAnswer) stages.push({ kind: 'keyboard-interactive' });
  if (canAnswer) stages.push({ kind: 'password' });
  return stages;
}

/** A PAM-style single "Password:" prompt, which a stored password may answer. */
function isPasswordPrompt(prompts: Prompt[]): boolean {
  const [only] = prompts;
  return prompts.length === 1 && only !== undefined && only.echo !== true && /password/i.test(only.prompt);
}

export function authFailure(where: string, record: AuthRecord): AppError {
  const offered = record.offered.length > 0 ? record.offered.join(', ') : 'none';
  const tried = record.tried.length > 0 ? record.tried.join(', ') : 'nothing (no usable method)';
  let message = `Authentication failed for ${where}. The server offered: ${offered}. Tried: ${tried}.`;
  if (record.skipped.length > 0) message += ` Skipped: ${record.skipped.join('; ')}.`;
  return new AppError('SSH_AUTH', message, {
    target: where,
    offered: record.offered,
    tried: record.tried,
    skipped: record.skipped,
  });
}

/**
 * Builds ssh2's authHandler for one hop. It first sends `none` to learn the offered
 * methods (as OpenSSH does), then walks the stages, skipping those the server does
 * not offer. `waitForHuman` wraps every wait on the admin so the connect timeout
 * does not run meanwhile.
 */
export function createAuthHandler(
  hop: SshHop,
  auth: SshAuthConfig,
  where: string,
  deps: AuthDeps,
  record: AuthRecord,
  waitForHuman: <T>(work: Promise<T>) => Promise<T>,
): AuthHandlerMiddleware {
  const username = hop.user;
  const stages = stagesFor(auth, deps);
  let nextStage = 0;
  let sentNone = false;
  if (auth.password !== undefined) deps.log.registerSecret(auth.password);

  const askServerPrompts = async (
    kind: 'keyboard-interactive' | 'password',
    prompts: AuthPrompt[],
    title: string,
    instructions: string,
  ): Promise<string[] | null> => {
    if (!deps.answerPrompts) return null;
    const answers = await waitForHuman(deps.answerPrompts(where, prompts, { kind, title, instructions }));
    answers?.forEach((answer, index) => {
      if (prompts[index]?.echo !== true) deps.log.registerSecret(answer);
    });
    return answers;
  };

  const keyboardInteractive = (): AnyAuthMethod => {
    let storedPasswordUsed = false;
    return {
      type: 'keyboard-interactive',
      username,
      prompt: (name: string, instructions: string, _lang: string, prompts: Prompt[], finish: KeyboardInteractiveCallback) => {
        if (auth.password !== undefined && !storedPasswordUsed && isPasswordPrompt(prompts)) {
          storedPasswordUsed = true;
          finish([auth.password]);
          return;
        }
        const asked = prompts.map((p) => ({ prompt: p.prompt, echo: p.echo === true }));
        askServerPrompts('keyboard-interactive', asked, name || `Login to ${where}`, instructions).then(
          (answers) => finish(answers ?? []),
          () => finish([]),
        );
      },
    };
  };

  const materialise = async (stage: Stage): Promise<AnyAuthMethod | undefined> => {
    switch (stage.kind) {
      case 'agent':
        record.tried.push(`publickey (agent ${stage.source})`);
        return { type: 'agent', username, agent: stage.source };
      case 'key': {
        const loaded = await waitForHuman(deps.keys.load(stage.path));
        if (!loaded.ok) {
          record.skipped.push(`${stage.path}: ${loaded.reason}`);
          deps.log.add('warn', 'auth', `key ${stage.path} skipped: ${loaded.reason}`, where);
          return undefined;
        }
        record.tried.push(`publickey (${stage.path})`);
        return { type: 'publickey', username, key: loaded.key };
      }
      case 'keyboard-interactive':
        record.tried.push('keyboard-interactive');
        return keyboardInteractive();
      case 'password': {
        let password = auth.password;
        if (password === undefined) {
          const answers = await askServerPrompts(
            'password',
            [{ prompt: `${where}'s password:`, echo: false }],
            `Password for ${where}`,
            '',
          );
          password = answers?.[0];
        }
        if (password === undefined) {
          record.skipped.push('password: not given');
          return undefined;
        }
        record.tried.push('password');
        return { type: 'password', username, password };
      }
    }
  };

  const pick = async (methodsLeft: string[]): Promise<AnyAuthMethod | false> => {
    while (nextStage < stages.length) {
      const stage = stages[nextStage++] as Stage;
      if (!methodsLeft.includes(methodOf(stage))) continue;
      const method = await materialise(stage);
      if (method) {
        deps.log.add('info', 'auth', `trying ${record.tried[record.tried.length - 1] ?? method.type}`, where);
        return method;
      }
    }
    return false;
  };

  return (methodsLeft, _partialSuccess, next) => {
    if (!sentNone) {
      sentNone = true;
      next({ type: 'none', username });
      return;
    }
    const left: string[] = methodsLeft ?? [];
    if (record.offered.length === 0) record.offered.push(...left);
    pick(left).then(
      (method) => {
        if (method === false) record.exhausted = true;
        // ssh2 accepts `false` to end authentication; its types do not say so.
        next(method as AnyAuthMethod);
      },
      (error: unknown) => {
        record.skipped.push(`error: ${error instanceof Error ? error.message : String(error)}`);
        record.exhausted = true;
        next(false as unknown as AnyAuthMethod);
      },
    );
  };
}
