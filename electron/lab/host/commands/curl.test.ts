import { describe, expect, test } from 'vitest';
import { curlConfigArgs } from './curl';

describe('curl -K config', () => {
  test('reads long options with =, : or a space, quoted with escapes, and skips comments', () => {
    const config = [
      '# written by Switchboard',
      'url = "http://127.0.0.1:3000/api/v1/licenses.add"',
      '--request POST',
      'header: "X-Auth-Token: t0k3n"',
      'silent',
      'data-binary = "{\\"license\\":\\"RCV3_a.b.c\\"}"',
      'write-out = "\\n%{http_code}"',
      '',
    ].join('\n');
    expect(curlConfigArgs(config)).toEqual([
      '--url', 'http://127.0.0.1:3000/api/v1/licenses.add',
      '--request', 'POST',
      '--header', 'X-Auth-Token: t0k3n',
      '--silent',
      '--data-binary', '{"license":"RCV3_a.b.c"}',
      '--write-out', '\n%{http_code}',
    ]);
  });

  test('an unquoted parameter ends at the first space', () => {
    expect(curlConfigArgs('max-time 20 trailing words')).toEqual(['--max-time', '20']);
  });
});
