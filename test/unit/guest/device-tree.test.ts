import { describe, expect, it } from 'vitest';
import { type BoardTreeContext, type FdtNode, node, str, u32 } from '../../../src/main/devices/fdt';
import { Machine, MPIC_PHANDLE } from '../../../src/main/guest/machine';
import { attachHypervisor } from '../../../src/main/hv';
import { createStatsBuffer } from '../../../src/main/link/stats';
import { defaultCostModel } from '../../../src/shared/cost';
import { defaultHwConfig } from '../../../src/shared/hw';

const sink = { write: () => {}, ready: () => true };
const prop = (n: FdtNode, key: string) => n.props.find(([k]) => k === key)?.[1];

describe('the board assembles the device tree from its parts', () => {
  it('asks every attached part for its root nodes, telling it the interrupt parent', () => {
    const machine = new Machine({ console: sink });
    const asked: BoardTreeContext[] = [];
    machine.treeParts.push({
      deviceTreeNodes: (board) => {
        asked.push(board);
        return [node('widget', [['compatible', str('lab,widget')], ['interrupt-parent', u32(board.interruptParent)]])];
      },
    });
    const tree = machine.deviceTree();
    expect(asked).toEqual([{ interruptParent: MPIC_PHANDLE }]);
    const widget = tree.children.find((c) => c.name === 'widget')!;
    // The phandle a part is given is the one the board's interrupt controller carries.
    const pic = tree.children.find((c) => c.name.startsWith('soc@'))!.children.find((c) => c.name.startsWith('pic@'))!;
    expect(prop(widget, 'interrupt-parent')).toEqual(prop(pic, 'phandle'));
  });

  it('gets the ePAPR hypervisor node from the hypervisor it is attached to, and none for a native guest', () => {
    const channel = { handle: 7, label: 'peer', send: () => 0, receive: () => new Uint8Array(0), rxPending: () => 0, txSpace: () => 0 };
    const options = (model: 'native' | 'booke-hv') => ({
      model, hw: defaultHwConfig(), cost: defaultCostModel(), stats: createStatsBuffer(), lpid: 1, byteChannels: [channel],
    });
    const hosted = new Machine({ console: sink });
    attachHypervisor(hosted, options('booke-hv'));
    const hv = hosted.deviceTree().children.find((c) => c.name === 'hypervisor')!;
    expect(prop(hv, 'compatible')).toEqual({ strs: ['epapr,hypervisor-1', 'simple-bus'] });
    // The channel, then the spare disabled node Linux's driver needs (src/main/hv/index.ts).
    expect(hv.children.map((c) => c.name)).toEqual(['bc@7', 'bc@0']);
    expect(prop(hv.children[1]!, 'status')).toEqual({ str: 'disabled' });

    const native = new Machine({ console: sink });
    attachHypervisor(native, options('native'));
    expect(native.deviceTree().children.some((c) => c.name === 'hypervisor')).toBe(false);
  });
});
