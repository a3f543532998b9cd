// A flattened device tree (DTB, version 17): the node model, the interface
// through which parts of a machine contribute nodes, and the writer. Enough to
// describe the board to a guest the way QEMU's ppce500 does, plus whatever the
// parts attached to the board (the hypervisor) add. Pure: imports nothing.

export type PropValue =
  | { u32: number[] }
  | { str: string }
  | { strs: string[] }
  | { empty: true };

export interface FdtNode {
  name: string;
  props: [string, PropValue][];
  children: FdtNode[];
}

export const u32 = (...v: number[]): PropValue => ({ u32: v });
export const str = (s: string): PropValue => ({ str: s });
export const strs = (...s: string[]): PropValue => ({ strs: s });
export const empty: PropValue = { empty: true };

export function node(name: string, props: [string, PropValue][] = [], children: FdtNode[] = []): FdtNode {
  return { name, props, children };
}

/** What the board tells a part about itself when it asks the part for its nodes. */
export interface BoardTreeContext {
  /** The phandle of the board's interrupt controller (the MPIC): a node's interrupt-parent. */
  readonly interruptParent: number;
}

/**
 * A part of a machine that describes itself in the guest's device tree (the
 * hypervisor, with its ePAPR node and byte channels). The board assembles the
 * tree at every boot and asks each registered part for the nodes it adds at
 * the root; a part never edits the board's own nodes.
 */
export interface DeviceTreePart {
  deviceTreeNodes(board: BoardTreeContext): FdtNode[];
}

const FDT_MAGIC = 0xD00DFEED;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_END = 9;

/** Strings in a flattened tree end at their first NUL: one inside would cut them short for the guest. */
function checkText(what: string, text: string): void {
  if (text.includes('\0')) throw new Error(`device tree: ${what} ${JSON.stringify(text.slice(0, 40))} contains a NUL character`);
}

function encodeValue(v: PropValue, prop: string): Uint8Array {
  if ('u32' in v) {
    const b = new Uint8Array(v.u32.length * 4);
    const d = new DataView(b.buffer);
    v.u32.forEach((x, i) => d.setUint32(i * 4, x >>> 0));
    return b;
  }
  if ('str' in v) {
    checkText(`property ${prop}`, v.str);
    return new TextEncoder().encode(`${v.str}\0`);
  }
  if ('strs' in v) {
    for (const s of v.strs) checkText(`property ${prop}`, s);
    return new TextEncoder().encode(v.strs.map((s) => `${s}\0`).join(''));
  }
  return new Uint8Array(0);
}

/**
 * Serialises a tree rooted at `root` (whose name must be ""). `minSize` pads
 * the blob with free space up to that total size (QEMU hands its guests a
 * 1 MB blob, and firmware and kernels reserve or copy the total size).
 */
export function buildDtb(root: FdtNode, bootCpu = 0, minSize = 0): Uint8Array {
  const struct: number[] = [];
  const strings: number[] = [];
  const stringOffsets = new Map<string, number>();
  const enc = new TextEncoder();

  const pushU32 = (x: number) => struct.push((x >>> 24) & 0xFF, (x >>> 16) & 0xFF, (x >>> 8) & 0xFF, x & 0xFF);
  const pushBytes = (to: number[], bytes: Uint8Array) => { for (const b of bytes) to.push(b); };
  const pad = () => { while (struct.length % 4) struct.push(0); };
  const stringOffset = (name: string) => {
    let off = stringOffsets.get(name);
    if (off === undefined) {
      checkText('property name', name);
      off = strings.length;
      pushBytes(strings, enc.encode(name));
      strings.push(0);
      stringOffsets.set(name, off);
    }
    return off;
  };

  const walk = (n: FdtNode) => {
    pushU32(FDT_BEGIN_NODE);
    checkText('node name', n.name);
    pushBytes(struct, enc.encode(n.name));
    struct.push(0);
    pad();
    for (const [name, value] of n.props) {
      const bytes = encodeValue(value, name);
      pushU32(FDT_PROP);
      pushU32(bytes.length);
      pushU32(stringOffset(name));
      pushBytes(struct, bytes);
      pad();
    }
    for (const c of n.children) walk(c);
    pushU32(FDT_END_NODE);
  };
  walk(root);
  pushU32(FDT_END);

  const headerSize = 40;
  const rsvOff = headerSize;
  const rsvSize = 16; // one terminating (0, 0) entry
  const structOff = rsvOff + rsvSize;
  const stringsOff = structOff + struct.length;
  const total = stringsOff + strings.length;
  const out = new Uint8Array(Math.max((total + 3) & ~3, minSize));
  const d = new DataView(out.buffer);
  d.setUint32(0, FDT_MAGIC);
  d.setUint32(4, out.length);
  d.setUint32(8, structOff);
  d.setUint32(12, stringsOff);
  d.setUint32(16, rsvOff);
  d.setUint32(20, 17);
  d.setUint32(24, 16);
  d.setUint32(28, bootCpu);
  d.setUint32(32, strings.length);
  d.setUint32(36, struct.length);
  out.set(struct, structOff);
  out.set(strings, stringsOff);
  return out;
}
