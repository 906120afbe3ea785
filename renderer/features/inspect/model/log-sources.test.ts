import { describe, expect, it } from 'vitest';
import type { HostDetail } from '../../../../shared/contract/inspect';
import { logSources } from './log-sources';
import { hostState } from './testing';

const detail = (facts: HostDetail['facts'], raw: Record<string, string>): HostDetail => ({
  state: hostState('rc-1'),
  facts,
  raw: Object.fromEntries(Object.entries(raw).map(([id, output]) => [id, { output, exitCode: 0 }])),
  history: [],
});

describe('the log probes of a node', () => {
  it('uses the parsed lines of a journal and ignores probes that are not logs', () => {
    const sources = logSources(
      detail(
        { 'rocketchat.log': { status: 'ok', value: { source: 'journal', lines: ['Server started', 'SERVER RUNNING'] } }, 'host.loadavg': { status: 'ok', value: {} } },
        { 'rocketchat.log': '{"MESSAGE":"Server started"}\n{"MESSAGE":"SERVER RUNNING"}\n', 'host.loadavg': '0.1 0.2 0.3 1/2 3' },
      ),
    );
    expect(sources).toEqual([{ id: 'rocketchat.log', lines: ['Server started', 'SERVER RUNNING'], problem: undefined }]);
  });

  it('falls back to the raw output, with the reason, when the probe could not parse it', () => {
    const [source] = logSources(
      detail({ 'vernemq.log': { status: 'unknown', reason: 'not a journal', excerpt: 'tail: cannot open' } }, { 'vernemq.log': 'tail: cannot open\nsecond line\n' }),
    );
    expect(source).toEqual({ id: 'vernemq.log', lines: ['tail: cannot open', 'second line'], problem: 'not a journal' });
  });
});
