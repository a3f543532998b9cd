// A worker for the byte-channel test: one end of a SharedByteChannel that
// either sends a deterministic byte stream (16 bytes at most per send, as a
// hypercall does) or receives it and reports its SHA-256. It sleeps on its
// control word when it cannot make progress, as a guest worker does.
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { type ChannelDescriptor, SharedByteChannel } from '../../src/main/link/byte-channel';
import { attachControl, CONTROL } from '../../src/main/link/control';

const { role, channel, control, total } = workerData as {
  role: 'send' | 'receive';
  channel: ChannelDescriptor;
  control: SharedArrayBuffer;
  total: number;
};
const ch = new SharedByteChannel(channel);
const ctrl = attachControl(control);
const hash = createHash('sha256');
let done = 0;
let seed = 12345;
const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
let pending: Uint8Array | null = null;
while (done < total) {
  const seen = Atomics.load(ctrl, CONTROL.wake);
  if (role === 'send') {
    if (!pending) {
      const n = Math.min(total - done, 1 + (done % 16));
      pending = new Uint8Array(n).map(() => next());
    }
    if (ch.send(pending) === pending.length) {
      hash.update(pending);
      done += pending.length;
      pending = null;
      continue;
    }
    Atomics.wait(ctrl, CONTROL.wake, seen, 1); // full: the receiver does not wake senders; retry soon
  } else {
    const got = ch.receive(64);
    if (got.length > 0) {
      hash.update(got);
      done += got.length;
      continue;
    }
    Atomics.wait(ctrl, CONTROL.wake, seen); // empty: the sender wakes us
  }
}
parentPort!.postMessage(hash.digest('hex'));
