// ePAPR hypercalls (sc 1): r11 holds the token (vendor << 16 | number), r3-r10
// the arguments, r3 the status on return and r4-r11 the outputs
// (shared/reference/booke-hv-facts.md section 8). The lab implements the byte
// channels (to other guests and to the lab's console) and idle; everything
// else answers EV_UNIMPLEMENTED, as KVM does.

import type { Cpu } from '../cpu/cpu';
import type { ByteChannel } from './types';

export const EV_SUCCESS = 0;
export const EV_EINVAL = 8;
export const EV_EAGAIN = 4;
export const EV_UNIMPLEMENTED = 12;

export const VENDOR_EPAPR = 1;
export const EV_BYTE_CHANNEL_SEND = 1;
export const EV_BYTE_CHANNEL_RECEIVE = 2;
export const EV_BYTE_CHANNEL_POLL = 3;
export const EV_IDLE = 16;
/**
 * The lab's own vendor ID ("LA") and its one call: MAP_PV_PAGE, r3 = guest
 * physical address of a 4 KB page of RAM (0: stop using it), r4 = the
 * effective address the guest maps it at, r5/r6 = start and end of the
 * region holding the guest's patch sequences. Offered by the trap-and-emulate
 * model only (the paravirtual page, pv-page.ts); elsewhere EV_UNIMPLEMENTED.
 */
export const VENDOR_LAB = 0x4C41;
export const LAB_MAP_PV_PAGE = 1;

export type HcallName = 'bytechannel_send' | 'bytechannel_receive' | 'bytechannel_poll' | 'idle' | 'map_pv_page' | 'unimplemented';

/** What the lab's own calls act on; null where the model offers none. */
export interface LabServices {
  mapPvPage(pa: number, ea: number, regionStart: number, regionEnd: number): boolean;
}

/** Result of a hypercall: what it was, and whether the guest now idles. */
export interface HcallResult {
  name: HcallName;
  idle: boolean;
}

/** Packs up to 16 bytes into r5-r8 (big-endian, as the guest reads them). */
function packBytes(cpu: Cpu, bytes: Uint8Array): void {
  for (let r = 0; r < 4; r++) {
    let w = 0;
    for (let k = 0; k < 4; k++) w = (w << 8) | (bytes[r * 4 + k] ?? 0);
    cpu.gpr[5 + r] = w;
  }
}

function unpackBytes(cpu: Cpu, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = (cpu.gpr[5 + (i >> 2)]! >>> (24 - 8 * (i & 3))) & 0xFF;
  return out;
}

export function hypercall(cpu: Cpu, channels: ReadonlyMap<number, ByteChannel>, lab: LabServices | null = null): HcallResult {
  const r = cpu.gpr;
  const token = r[11]! >>> 0;
  const vendor = token >>> 16;
  const num = token & 0xFFFF;
  if (vendor === VENDOR_LAB && num === LAB_MAP_PV_PAGE && lab !== null) {
    r[3] = lab.mapPvPage(r[3]! >>> 0, r[4]! >>> 0, r[5]! >>> 0, r[6]! >>> 0) ? EV_SUCCESS : EV_EINVAL;
    return { name: 'map_pv_page', idle: false };
  }
  if (vendor !== VENDOR_EPAPR) {
    r[3] = EV_UNIMPLEMENTED;
    return { name: 'unimplemented', idle: false };
  }
  switch (num) {
    case EV_BYTE_CHANNEL_SEND: {
      const ch = channels.get(r[3]! >>> 0);
      const count = r[4]! >>> 0;
      if (!ch || count > 16) {
        r[3] = EV_EINVAL;
        return { name: 'bytechannel_send', idle: false };
      }
      const sent = ch.send(unpackBytes(cpu, count));
      r[4] = sent;
      r[3] = sent === 0 && count > 0 ? EV_EAGAIN : EV_SUCCESS;
      return { name: 'bytechannel_send', idle: false };
    }
    case EV_BYTE_CHANNEL_RECEIVE: {
      const ch = channels.get(r[3]! >>> 0);
      if (!ch) {
        r[3] = EV_EINVAL;
        return { name: 'bytechannel_receive', idle: false };
      }
      const got = ch.receive(Math.min(16, r[4]! >>> 0));
      r[4] = got.length;
      packBytes(cpu, got);
      r[3] = EV_SUCCESS;
      return { name: 'bytechannel_receive', idle: false };
    }
    case EV_BYTE_CHANNEL_POLL: {
      const ch = channels.get(r[3]! >>> 0);
      if (!ch) {
        r[3] = EV_EINVAL;
        return { name: 'bytechannel_poll', idle: false };
      }
      r[4] = ch.rxPending();
      r[5] = ch.txSpace();
      r[3] = EV_SUCCESS;
      return { name: 'bytechannel_poll', idle: false };
    }
    case EV_IDLE:
      r[3] = EV_SUCCESS;
      return { name: 'idle', idle: true };
    default:
      r[3] = EV_UNIMPLEMENTED;
      return { name: 'unimplemented', idle: false };
  }
}
