import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNatsHealthz, parseNatsJsz, parseTolerantHealth, parseVernemqHealth } from './health';
import { parseCurlResponse, type HttpResponse } from './http';
import { andThen, type Parsed } from './result';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** A probe's curl output (body, newline, status) through curl's parser and then `parse`. */
function viaCurl<T>(text: string, exitCode: number, parse: (body: string, status: number) => Parsed<T>): Parsed<T> {
  return andThen(parseCurlResponse(text, exitCode), (response: HttpResponse) => parse(response.body, response.status));
}

describe("curl -w '\\n%{http_code}'", () => {
  it('splits the body from the status code', () => {
    expect(parseCurlResponse(fixture('health/nats-healthz-ok-with-code.txt'), 0)).toEqual({ status: 'ok', value: { status: 200, body: '{"status":"ok"}' } });
    expect(parseCurlResponse(fixture('health/nats-404-with-code.txt'), 0)).toEqual({ status: 'ok', value: { status: 404, body: '404 page not found\n' } });
  });

  it('says why there was no HTTP answer at all', () => {
    expect(parseCurlResponse(fixture('health/curl-connection-refused-with-code.txt'), 7)).toMatchObject({
      status: 'unknown',
      reason: 'no HTTP response: could not connect (connection refused or no route)',
    });
    expect(parseCurlResponse('\n000', 28)).toMatchObject({ status: 'unknown', reason: 'no HTTP response: timed out' });
    expect(parseCurlResponse('{"status":"o', 0)).toMatchObject({ status: 'unknown', reason: 'no status code at the end (truncated?)' });
    expect(parseCurlResponse(fixture('shell/bash-command-not-found.txt'), 127).status).toBe('unknown');
  });
});

describe('NATS', () => {
  it('reads a healthy and an unavailable /healthz from a real nats-server', () => {
    expect(viaCurl(fixture('health/nats-healthz-ok-with-code.txt'), 0, parseNatsHealthz)).toEqual({ status: 'ok', value: { healthy: true, reasons: [] } });
    expect(viaCurl(fixture('health/nats-healthz-unavailable-with-code.txt'), 0, parseNatsHealthz)).toEqual({
      status: 'ok',
      value: { healthy: false, reasons: ['JetStream has not established contact with a meta leader'] },
    });
  });

  it('says unknown for a 404, an HTML page or a refused connection', () => {
    expect(viaCurl(fixture('health/nats-404-with-code.txt'), 0, parseNatsHealthz)).toMatchObject({ status: 'unknown', reason: 'HTTP 404: not JSON' });
    expect(viaCurl(fixture('health/haproxy-503-html-with-code.txt'), 0, parseNatsHealthz)).toMatchObject({ status: 'unknown', reason: 'HTTP 503: HTML instead of JSON' });
    expect(viaCurl(fixture('health/curl-connection-refused-with-code.txt'), 7, parseNatsHealthz).status).toBe('unknown');
  });

  it('reads /jsz of a standalone and of a leaderless clustered JetStream', () => {
    expect(parseNatsJsz(fixture('health/nats-jsz-standalone.json'), 200)).toEqual({
      status: 'ok',
      value: { enabled: true, streams: 0, consumers: 0, messages: 0, bytes: 0, memory: 0, storage: 0, apiErrors: 0 },
    });
    expect(parseNatsJsz(fixture('health/nats-jsz-cluster-no-leader.json'), 200)).toMatchObject({
      status: 'ok',
      value: { enabled: true, metaCluster: { name: 'voms', clusterSize: 2 } },
    });
    const noLeader = parseNatsJsz(fixture('health/nats-jsz-cluster-no-leader.json'), 200);
    expect(noLeader.status === 'ok' && noLeader.value.metaCluster?.leader).toBeUndefined();
    expect(parseNatsJsz('{"server_id":"N1","now":"2026-11-26T00:28:50Z","disabled":true}', 200)).toEqual({ status: 'ok', value: { enabled: false } });
    expect(parseNatsJsz(fixture('health/nats-jsz-standalone.json').slice(0, 120), 200)).toMatchObject({ status: 'unknown', reason: 'JSON cut short (truncated?)' });
  });
});

describe('VerneMQ /health', () => {
  it('reads OK and DOWN with reasons', () => {
    expect(parseVernemqHealth(fixture('health/vernemq-health-ok.synthetic.json'), 200)).toEqual({ status: 'ok', value: { healthy: true, reasons: [] } });
    expect(parseVernemqHealth(fixture('health/vernemq-health-down.synthetic.json'), 503)).toEqual({
      status: 'ok',
      value: { healthy: false, reasons: ['Node has not joined cluster'] },
    });
  });

  it('does not read a proxy error page or a contradiction as DOWN', () => {
    expect(viaCurl(fixture('health/haproxy-503-html-with-code.txt'), 0, parseVernemqHealth).status).toBe('unknown');
    expect(parseVernemqHealth(fixture('health/vernemq-health-down.synthetic.json'), 200).status).toBe('unknown');
    expect(parseVernemqHealth('{"error":"unauthorized"}', 401).status).toBe('unknown');
  });
});

describe('tolerant health (VOMS)', () => {
  it('reads ok and degraded answers with their checks', () => {
    expect(parseTolerantHealth(fixture('health/voms-health-ok.synthetic.json'), 200)).toEqual({
      status: 'ok',
      value: { overall: 'ok', checks: { database: 'ok', redis: 'ok', nats: 'ok' }, errors: {} },
    });
    expect(parseTolerantHealth(fixture('health/voms-health-degraded.synthetic.json'), 503)).toEqual({
      status: 'ok',
      value: {
        overall: 'degraded',
        checks: { database: 'ok', redis: 'down', nats: 'ok' },
        errors: { redis: 'dial tcp 127.0.0.1:6379: connect: connection refused' },
      },
    });
    expect(parseTolerantHealth('{"healthy":false}', 503)).toMatchObject({ status: 'ok', value: { overall: 'down' } });
  });

  it('says unknown for words it does not know, HTML, and a 5xx claiming ok', () => {
    expect(parseTolerantHealth('{"status":"purple"}', 200)).toMatchObject({ status: 'unknown' });
    expect(parseTolerantHealth('<!DOCTYPE html><html></html>', 502)).toMatchObject({ status: 'unknown', reason: 'HTTP 502: HTML instead of JSON' });
    expect(parseTolerantHealth('{"status":"ok"}', 500)).toMatchObject({ status: 'unknown' });
  });
});
