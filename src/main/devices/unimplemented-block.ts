// A block of registers that QEMU's ppce500 leaves unimplemented but firmware
// reads anyway (the local bus controller at CCSR+0x5000: U-Boot reads its
// clock ratio to print the LBC line). On QEMU such reads return 0 and writes
// vanish; this block does the same, without the unmapped-address diagnostic,
// because reading it is what firmware for this board normally does.

import type { MmioDevice } from './bus';

export class UnimplementedBlock implements MmioDevice {
  constructor(readonly name: string) {}

  read(): number {
    return 0;
  }

  write(): void {}
}
