import { describe, expect, it } from 'vitest';
import { addressProblem, formatJumpSpec, parseJumpSpec } from './address';

describe('parseJumpSpec', () => {
  it.each([
    ['bastion', { address: 'bastion' }],
    ['ops@bastion.example.com', { user: 'ops', address: 'bastion.example.com' }],
    ['ops@10.0.0.1:2222', { user: 'ops', address: '10.0.0.1', port: 2222 }],
    ['[fd00::1]:22', { address: 'fd00::1', port: 22 }],
    ['fd00::1', { address: 'fd00::1' }],
  ])('reads %s', (text, spec) => {
    const parsed = parseJumpSpec(text);
    expect(parsed).toEqual({ ok: true, spec });
    if (parsed.ok) expect(formatJumpSpec(parsed.spec)).toBe(text);
  });

  it.each([
    ['-oProxyCommand=x', 'cannot start with "-"'],
    ['ops@$(id)', 'cannot contain "$"'],
    ['-l@host', 'not a valid user name'],
    ['host:0', 'invalid port'],
    ['host:ssh', 'invalid port'],
    ['[bastion]:22', 'only an IPv6 address goes in brackets'],
    ['a@b@c', 'cannot contain "@"'],
  ])('refuses %s', (text, message) => {
    const parsed = parseJumpSpec(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toContain(message);
  });
});

describe('addressProblem', () => {
  it('shows a refused value quoted and shortened, so a newline in it cannot forge a log line', () => {
    const problem = addressProblem(`evil\n${'x'.repeat(100)}`) ?? '';
    expect(problem).toContain('"evil\\nxxx');
    expect(problem).not.toContain('\n');
    expect(problem.length).toBeLessThan(160);
  });
});
