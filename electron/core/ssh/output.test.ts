import { describe, expect, it } from 'vitest';
import { wrapCommand } from './exec';
import { CappedOutput, PidMarkerFilter } from './output';

function filter() {
  const passed: Buffer[] = [];
  const pids: number[] = [];
  const marker = new PidMarkerFilter(
    (pid) => pids.push(pid),
    (chunk) => passed.push(chunk),
  );
  return { marker, pids, text: () => Buffer.concat(passed).toString() };
}

describe('PidMarkerFilter', () => {
  it('takes the pid line out of stdout, even when split across chunks', () => {
    const { marker, pids, text } = filter();
    marker.push(Buffer.from('__switchboard_'));
    marker.push(Buffer.from('pid__:4242\nhello'));
    marker.push(Buffer.from(' world\n'));
    expect(pids).toEqual([4242]);
    expect(text()).toBe('hello world\n');
  });

  it('passes through what a chatty login shell prints before the marker', () => {
    const { marker, pids, text } = filter();
    marker.push(Buffer.from('Welcome!\n__switchboard_pid__:77\nout'));
    expect(pids).toEqual([77]);
    expect(text()).toBe('Welcome!\nout');
  });

  it('flushes held output when the stream ends without a marker', () => {
    const { marker, pids, text } = filter();
    marker.push(Buffer.from('no marker here'));
    marker.flush();
    expect(pids).toEqual([]);
    expect(text()).toBe('no marker here');
  });
});

describe('CappedOutput', () => {
  it('keeps bytes up to the cap, marks truncation and still counts the rest', () => {
    const seen: string[] = [];
    const output = new CappedOutput(5, (chunk) => seen.push(chunk.toString()));
    output.push(Buffer.from('abc'));
    output.push(Buffer.from('defgh'));
    output.push(Buffer.from('ij'));
    expect(output.text()).toBe('abcde');
    expect(output.truncated).toBe(true);
    expect(output.totalBytes).toBe(10);
    expect(seen).toEqual(['abc', 'de']);
  });
});

describe('wrapCommand', () => {
  it('reports the pid, then execs the quoted command in the requested directory', () => {
    expect(wrapCommand(['printf', '%s\\n', "it's"], '/srv/my app')).toBe(
      `echo __switchboard_pid__:$$ && cd -- '/srv/my app' && exec printf '%s\\n' 'it'\\''s'`,
    );
    expect(wrapCommand(['true'])).toBe('echo __switchboard_pid__:$$ && exec true');
  });
});
