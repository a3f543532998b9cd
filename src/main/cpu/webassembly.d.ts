// The part of the WebAssembly JavaScript API the core uses (Node provides it;
// this project's Node type settings leave out the DOM library that declares it).
declare namespace WebAssembly {
  interface MemoryDescriptor { initial: number; maximum?: number; shared?: boolean }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer;
  }
  class Module {
    constructor(bytes: Uint8Array);
  }
  interface TableDescriptor { element: 'anyfunc'; initial: number; maximum?: number }
  class Table {
    constructor(descriptor: TableDescriptor);
    readonly length: number;
    grow(delta: number): number;
    set(index: number, value: unknown): void;
  }
  type ImportValue = Memory | Table | ((...args: number[]) => number);
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, ImportValue>>);
    readonly exports: Record<string, unknown>;
  }
}
