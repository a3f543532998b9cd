import { describe, expect, it } from 'vitest';
import { LAB_METHOD_NAMES } from '../../../src/shared/api';
import { PARAM_SCHEMAS, parseWsRequest, validateCall } from '../../../src/shared/protocol';

describe('protocol validation', () => {
  it('has a schema for every method', () => {
    expect(Object.keys(PARAM_SCHEMAS).sort()).toEqual([...LAB_METHOD_NAMES].sort());
  });

  it('refuses an unknown method', () => {
    const r = validateCall('formatDisk', {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('unknown-method');
  });

  it('refuses parameters of the wrong shape, naming the field', () => {
    const r = validateCall('setHwConfig', { strategies: { SRR0: 7 } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid-request');
      expect(r.error.message).toMatch(/strategies\.SRR0/);
    }
  });

  it('refuses unexpected fields', () => {
    const r = validateCall('getHwConfig', { sneaky: true });
    expect(r.ok).toBe(false);
  });

  it('accepts a preset by id and refuses an unknown one', () => {
    expect(validateCall('applyPreset', { preset: 'x86' }).ok).toBe(true);
    expect(validateCall('applyPreset', { preset: 'arm' }).ok).toBe(false);
  });

  it('requires exactly one of image and upload when creating a guest', () => {
    expect(validateCall('createGuest', { image: 'labos' }).ok).toBe(true);
    expect(validateCall('createGuest', {}).ok).toBe(false);
    expect(validateCall('createGuest', { image: 'labos', upload: { fileName: 'a.elf', data: 'AAAA' } }).ok).toBe(false);
    expect(validateCall('createGuest', { image: '../../etc/passwd' }).ok).toBe(false);
    expect(validateCall('createGuest', { image: 'labos', ramMb: 100 }).ok).toBe(false);
  });

  it('parses WebSocket requests and explains malformed ones', () => {
    expect(parseWsRequest('{"id":1,"method":"getHwConfig","params":{}}').ok).toBe(true);
    const bad = parseWsRequest('{"id":"x"}');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/Malformed request/);
    const notJson = parseWsRequest('{{{');
    expect(notJson.ok).toBe(false);
    if (!notJson.ok) expect(notJson.error.message).toBe('Message is not valid JSON');
  });
});
