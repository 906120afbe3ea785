import { describe, expect, it } from 'vitest';
import { appendOutput, seedOutput } from './output';

describe('step output', () => {
  it('appends and keeps only the newest characters, counting what it drops', () => {
    let output = appendOutput(undefined, { text: 'abcdef', omittedChars: 0 }, 8);
    output = appendOutput(output, { text: 'ghijk', omittedChars: 2 }, 8);
    expect(output).toEqual({ text: 'defghijk', omittedChars: 5 });
  });

  it('takes the journal tail when it already holds the live text', () => {
    expect(seedOutput({ text: 'two\n', omittedChars: 0 }, { output: 'one\ntwo\n', omittedChars: 3 })).toEqual({ text: 'one\ntwo\n', omittedChars: 3 });
  });

  it('puts live text after a journal tail read before it arrived', () => {
    expect(seedOutput({ text: 'three\n', omittedChars: 1 }, { output: 'one\ntwo\n', omittedChars: 3 })).toEqual({ text: 'one\ntwo\nthree\n', omittedChars: 4 });
  });

  it('starts from the journal when nothing came live', () => {
    expect(seedOutput(undefined, { output: 'abcdef', omittedChars: 0 }, 4)).toEqual({ text: 'cdef', omittedChars: 2 });
  });
});
