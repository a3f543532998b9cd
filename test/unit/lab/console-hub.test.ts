import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../src/shared/api';
import { CONSOLE_FLOW, ConsoleHub, ScrollbackRing } from '../../../src/main/lab/console-hub';

function client(name: string, sink: LabEvent[] = []) {
  return { name, send: (e: LabEvent) => { sink.push(e); } };
}

describe('console hub', () => {
  it('keeps the last bytes as scrollback', () => {
    const r = new ScrollbackRing(8);
    r.append(Buffer.from('abcdef'));
    r.append(Buffer.from('ghij'));
    expect(Buffer.from(r.contents()).toString()).toBe('cdefghij');
    r.append(Buffer.from('0123456789'));
    expect(Buffer.from(r.contents()).toString()).toBe('23456789');
  });

  it('holds the guest above HIGH in flight and releases it at LOW', () => {
    const holds: boolean[] = [];
    const hub = new ConsoleHub('g1', (h) => holds.push(h), () => {});
    const events: LabEvent[] = [];
    const c = client('c', events);
    expect(hub.subscribe(c).length).toBe(0);
    hub.publish(new Uint8Array(CONSOLE_FLOW.high));
    expect(holds).toEqual([]);
    hub.publish(new Uint8Array(1));
    expect(holds).toEqual([true]);
    expect(hub.ack(c, CONSOLE_FLOW.high - CONSOLE_FLOW.low)).toBe(CONSOLE_FLOW.low + 1);
    expect(holds).toEqual([true]);
    hub.ack(c, 1);
    expect(holds).toEqual([true, false]);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ type: 'console', id: 'g1' });
  });

  it('counts a subscriber that acknowledges from inside send()', () => {
    const holds: boolean[] = [];
    const hub = new ConsoleHub('g1', (h) => holds.push(h), () => {});
    const c = { name: 'sync', send: (e: LabEvent) => { if (e.type === 'console') hub.ack(c, Buffer.from(e.data, 'base64').length); } };
    hub.subscribe(c);
    for (let i = 0; i < 10; i++) hub.publish(new Uint8Array(50_000));
    expect(hub.pending(c)).toBe(0);
    expect(holds).toEqual([]);
  });

  it('forgets a subscriber that leaves or fails, so it cannot stall the guest', () => {
    const holds: boolean[] = [];
    const lost: string[] = [];
    const hub = new ConsoleHub('g1', (h) => holds.push(h), (c) => lost.push(c.name));
    const lazy = client('lazy');
    hub.subscribe(lazy);
    hub.publish(new Uint8Array(CONSOLE_FLOW.high + 1));
    expect(holds).toEqual([true]);
    hub.unsubscribe(lazy);
    expect(holds).toEqual([true, false]);
    const broken = { name: 'broken', send: () => { throw new Error('closed'); } };
    hub.subscribe(broken);
    hub.publish(Uint8Array.of(1));
    expect(lost).toEqual(['broken']);
    expect(hub.subscriberCount).toBe(0);
    expect(() => hub.ack(lazy, 1)).toThrow(/Not subscribed/);
  });
});
