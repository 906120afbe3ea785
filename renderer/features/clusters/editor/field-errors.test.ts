import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/contract/errors';
import { editorFieldKeys, fieldKey, groupIssues, issuesOfError, unplacedMessages } from './field-errors';

describe('field errors', () => {
  it('reads the schema, dispatcher and whole-inventory path styles alike', () => {
    expect(fieldKey('hosts[0].address')).toBe('hosts[0].address');
    expect(fieldKey('cluster.hosts.0.address')).toBe('hosts[0].address');
    expect(fieldKey('clusters[3].hosts[1].auth.identityFile')).toBe('hosts[1].auth.identityFile');
    expect(fieldKey('cluster.name')).toBe('name');
    expect(fieldKey('')).toBe('');
  });

  it('shows a problem with one element of a list next to the list', () => {
    expect(fieldKey('hosts[2].jump[1]')).toBe('hosts[2].jump');
    expect(fieldKey('cluster.stacks.0')).toBe('stacks');
  });

  it('groups messages by field', () => {
    const errors = groupIssues([
      { path: 'hosts[0].address', message: 'a' },
      { path: 'cluster.hosts.0.address', message: 'b' },
      { path: 'name', message: 'c' },
    ]);
    expect(errors).toEqual({ 'hosts[0].address': ['a', 'b'], name: ['c'] });
  });

  it('takes the issues out of an INVALID_INPUT error and nothing else', () => {
    const invalid = new AppError('INVALID_INPUT', 'bad', { issues: [{ path: 'cluster.name', message: 'not a name' }, 'junk'] });
    expect(issuesOfError(invalid)).toEqual([{ path: 'cluster.name', message: 'not a name' }]);
    expect(issuesOfError(new AppError('CONFLICT', 'exists', { issues: [{ path: 'name', message: 'x' }] }))).toEqual([]);
    expect(issuesOfError(new Error('plain'))).toEqual([]);
  });

  it('lists the messages whose field the form does not show', () => {
    const errors = groupIssues([
      { path: 'hosts[0].services[0].unit', message: 'not a valid systemd unit name' },
      { path: 'hosts[0].user', message: 'required' },
      { path: 'hosts[5].user', message: 'no such row' },
    ]);
    expect(unplacedMessages(errors, editorFieldKeys(1))).toEqual([
      'hosts[0].services[0].unit: not a valid systemd unit name',
      'hosts[5].user: no such row',
    ]);
  });
});
