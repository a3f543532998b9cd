// The byte channels between guests, as the session keeps them: one pair of
// rings per pair of guests, made when the second of the two is created. The
// rule: a guest sees the channels that exist when it boots — its first start
// (a guest created with start: false boots when started) or a reset. A
// guest that was already running gets the channel to a newcomer at its next
// reset (its device tree is fixed at boot, as on real hardware), so create
// guests with start: false and start them together to connect them all.
// When a guest is removed its rings are closed (sends to it are refused) and
// its peers drop the channel at their next reset.

import { type ChannelDescriptor, createRing, ByteRing, CONSOLE_CHANNEL_HANDLE } from '../link/byte-channel';

/** What the registry needs to know about a guest. */
export interface ChannelEnd {
  id: string;
  name: string;
  control: SharedArrayBuffer;
}

interface Link {
  a: string;
  b: string;
  /** The handle each side sees. */
  handleA: number;
  handleB: number;
  ab: SharedArrayBuffer;
  ba: SharedArrayBuffer;
}

export class ChannelRegistry {
  private readonly links: Link[] = [];
  /** Next handle per guest; the console channel has CONSOLE_CHANNEL_HANDLE. */
  private readonly nextHandle = new Map<string, number>();

  private allocate(id: string): number {
    const h = this.nextHandle.get(id) ?? CONSOLE_CHANNEL_HANDLE + 1;
    this.nextHandle.set(id, h + 1);
    return h;
  }

  /** Makes the channel between two guests; returns each side's descriptor. */
  connect(a: ChannelEnd, b: ChannelEnd): { forA: ChannelDescriptor; forB: ChannelDescriptor } {
    const link: Link = { a: a.id, b: b.id, handleA: this.allocate(a.id), handleB: this.allocate(b.id), ab: createRing(), ba: createRing() };
    this.links.push(link);
    return {
      forA: { handle: link.handleA, label: b.name, tx: link.ab, rx: link.ba, peerControl: b.control },
      forB: { handle: link.handleB, label: a.name, tx: link.ba, rx: link.ab, peerControl: a.control },
    };
  }

  /** Closes every channel of a removed guest; returns, per peer, the handle it must drop. */
  disconnect(id: string): { peer: string; handle: number }[] {
    const dropped: { peer: string; handle: number }[] = [];
    for (let i = this.links.length - 1; i >= 0; i--) {
      const l = this.links[i]!;
      if (l.a !== id && l.b !== id) continue;
      new ByteRing(l.ab).close();
      new ByteRing(l.ba).close();
      dropped.push(l.a === id ? { peer: l.b, handle: l.handleB } : { peer: l.a, handle: l.handleA });
      this.links.splice(i, 1);
    }
    this.nextHandle.delete(id);
    return dropped;
  }

  /** A guest's channels to its peers (for a worker started again after a crash). */
  channelsOf(id: string, ends: ReadonlyMap<string, ChannelEnd>): ChannelDescriptor[] {
    const out: ChannelDescriptor[] = [];
    for (const l of this.links) {
      if (l.a === id) out.push({ handle: l.handleA, label: ends.get(l.b)!.name, tx: l.ab, rx: l.ba, peerControl: ends.get(l.b)!.control });
      else if (l.b === id) out.push({ handle: l.handleB, label: ends.get(l.a)!.name, tx: l.ba, rx: l.ab, peerControl: ends.get(l.a)!.control });
    }
    return out.sort((x, y) => x.handle - y.handle);
  }
}
