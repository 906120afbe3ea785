import { describe, expect, test } from 'vitest';
import { curlConfig } from '../../../core/license/rocketchat-rest';
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

describe("the console's REST config, read back as curl reads it", () => {
  test('quotes, backslashes and the token survive the round trip', () => {
    const body = JSON.stringify({ license: 'RCV3_x.y.z', note: 'say "hi" \\ bye' });
    const config = curlConfig({ url: 'http://localhost:3000/api/v1/licenses.add', method: 'POST', headers: ['X-Auth-Token: s3cr3t'], body });
    expect(curlConfigArgs(config)).toEqual([
      '--url', 'http://localhost:3000/api/v1/licenses.add',
      '--request', 'POST',
      '--silent',
      '--max-time', '20',
      '--write-out', '\n%{http_code}',
      '--header', 'X-Auth-Token: s3cr3t',
      '--data-binary', body,
    ]);
  });

  test('a value with a line break is refused rather than split into two options', () => {
    expect(() => curlConfig({ url: 'http://localhost/', method: 'GET', headers: ['X-Auth-Token: a\nurl = "http://evil/"'] })).toThrow(/line break/);
  });
});
