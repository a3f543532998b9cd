// A LabApi double for renderer tests: every method is a vi.fn answering from
// a small in-memory lab (hardware, cost model, guests), and emit() pushes
// events to the listeners as the real transports do.
import { vi } from 'vitest';
import { LAB_METHOD_NAMES, type GuestInfo, type LabApi, type LabEvent, type LabMethodName } from '../../../src/shared/api';
import { applyCostPatch, defaultCostModel, type CostModel } from '../../../src/shared/cost';
import { applyHwPatch, defaultHwConfig, type HwConfig, isPresetId, presetConfig, PRESETS, viewOf } from '../../../src/shared/hw';
import { LabFailure, ok, type Result } from '../../../src/shared/result';

export interface MockLab {
  api: LabApi;
  calls: Record<LabMethodName, ReturnType<typeof vi.fn>>;
  emit(event: LabEvent): void;
  state: { hw: HwConfig; cost: CostModel; guests: GuestInfo[] };
}

export function guestInfo(over: Partial<GuestInfo> = {}): GuestInfo {
  return { id: 'g1', name: 'alpha', image: 'labos', model: 'booke-hv', ramMb: 128, state: 'running', override: null, bootargs: '', ...over };
}

export function createMockLab(): MockLab {
  const listeners = new Set<(e: LabEvent) => void>();
  const state = { hw: defaultHwConfig(), cost: defaultCostModel(), guests: [] as GuestInfo[] };
  const guard = <T>(f: () => T): Result<T> => {
    try {
      return ok(f());
    } catch (e) {
      if (e instanceof LabFailure) return { ok: false, error: e.toError() };
      throw e;
    }
  };
  const guest = (id: string) => {
    const g = state.guests.find((x) => x.id === id);
    if (!g) throw new LabFailure('unknown-guest', `No guest with id "${id}"`);
    return g;
  };
  const impl: Record<LabMethodName, (p: any) => Result<unknown>> = {
    getHwConfig: () => ok(viewOf(state.hw)),
    setHwConfig: (p) => guard(() => { state.hw = applyHwPatch(state.hw, p); return viewOf(state.hw); }),
    listPresets: () => ok([...PRESETS]),
    applyPreset: (p) => guard(() => {
      if (!isPresetId(p.preset)) throw new LabFailure('unknown-preset', 'no such preset');
      state.hw = { ...presetConfig(p.preset), policy: { ...state.hw.policy } };
      return viewOf(state.hw);
    }),
    getCostModel: () => ok({ ...state.cost }),
    setCostModel: (p) => guard(() => { state.cost = applyCostPatch(state.cost, p); return { ...state.cost }; }),
    resetCostModel: () => { state.cost = defaultCostModel(); return ok({ ...state.cost }); },
    listImages: () => ok([{ id: 'labos', path: 'resources/guests/labos/labos.elf', size: 100_000, description: 'labOS' }]),
    listGuests: () => ok(state.guests.map((g) => ({ ...g }))),
    createGuest: (p) => guard(() => {
      const g = guestInfo({ id: `g${state.guests.length + 1}`, name: p.name ?? `guest-${state.guests.length + 1}`, image: p.image ?? p.upload?.fileName, model: p.model ?? 'booke-hv', ramMb: p.ramMb ?? 128, override: p.override ?? null });
      state.guests.push(g);
      return { ...g };
    }),
    startGuest: (p) => guard(() => { const g = guest(p.id); g.state = 'running'; return { ...g }; }),
    pauseGuest: (p) => guard(() => { const g = guest(p.id); g.state = 'paused'; return { ...g }; }),
    resetGuest: (p) => guard(() => { const g = guest(p.id); g.state = 'running'; delete g.reason; return { ...g }; }),
    removeGuest: (p) => guard(() => { guest(p.id); state.guests = state.guests.filter((g) => g.id !== p.id); return { id: p.id }; }),
    setGuestOverride: (p) => guard(() => {
      const g = guest(p.id);
      if (p.override) applyHwPatch(state.hw, p.override);
      g.override = p.override;
      return { ...g };
    }),
    consoleWrite: (p) => ok({ accepted: p.data.length }),
    consoleSubscribe: () => ok({ scrollback: '' }),
    consoleUnsubscribe: (p) => ok({ id: p.id }),
    consoleAck: () => ok({ inFlight: 0 }),
    resetStats: () => ok({ reset: 1 }),
    getTrace: () => ok({ entries: [] }),
    getVcpuStats: () => ok({ vcpus: [] }),
    startGdb: (p: { id: string; port?: number }) => ok({ id: p.id, port: p.port || 40123 }),
    // The inspector needs a worker's vCPU; the mock has none and says so (the panel shows the error).
    debugGuest: (p) => guard(() => { guest(p.id); throw new LabFailure('unavailable', 'the mock lab has no vCPUs'); }),
    setBreakpoints: (p) => guard(() => { guest(p.id); return p.breakpoints; }),
    inspectGuest: (p) => guard(() => { guest(p.id); throw new LabFailure('unavailable', 'the mock lab has no vCPUs'); }),
    inspectTlb: (p) => guard(() => { guest(p.id); throw new LabFailure('unavailable', 'the mock lab has no vCPUs'); }),
    readGuestMemory: (p) => guard(() => { guest(p.id); throw new LabFailure('unavailable', 'the mock lab has no vCPUs'); }),
    translateAddress: (p) => guard(() => { guest(p.id); throw new LabFailure('unavailable', 'the mock lab has no vCPUs'); }),
    writeRegister: (p) => guard(() => { guest(p.id); throw new LabFailure('unavailable', 'the mock lab has no vCPUs'); }),
    saveSnapshot: (p) => guard(() => { guest(p.id); throw new LabFailure('unavailable', 'the mock lab has no guest state to save'); }),
    forkGuest: (p) => guard(() => { guest(p.id); throw new LabFailure('unavailable', 'the mock lab has no guest state to fork'); }),
    listExperiments: () => ok([]),
    runExperiment: () => guard(() => { throw new LabFailure('unavailable', 'the mock lab runs no experiments'); }),
    cancelExperiment: (p) => guard(() => { throw new LabFailure('invalid-state', `Experiment ${p.runId} is not running`); }),
  };
  const calls = {} as MockLab['calls'];
  const api: Record<string, unknown> = {
    transport: 'ws',
    onEvent: (l: (e: LabEvent) => void) => { listeners.add(l); return () => listeners.delete(l); },
  };
  for (const name of LAB_METHOD_NAMES) {
    calls[name] = vi.fn(async (p: unknown) => impl[name](p ?? {}));
    api[name] = calls[name];
  }
  return { api: api as LabApi, calls, emit: (e) => { for (const l of listeners) l(e); }, state };
}
