// One entry point for every LabApi call, shared by Electron IPC and the web
// bridge: validate the method and its parameters, run it on the session, and
// turn every failure into a typed Result. Nothing thrown here escapes to the
// transport, so one bad message never takes a connection or the session down.

import type { LabMethodName, ParamsOf } from '../../shared/api';
import { validateCall } from '../../shared/protocol';
import { fail, LabFailure, ok, type Result } from '../../shared/result';
import type { LabClient, LabSession } from './session';

type Handler<M extends LabMethodName> = (session: LabSession, params: ParamsOf<M>, client: LabClient) => unknown;

const HANDLERS: { [M in LabMethodName]: Handler<M> } = {
  getHwConfig: (s) => s.getHwConfig(),
  setHwConfig: (s, p) => s.setHwConfig(p),
  listPresets: (s) => s.listPresets(),
  applyPreset: (s, p) => s.applyPreset(p.preset),
  getCostModel: (s) => s.getCostModel(),
  setCostModel: (s, p) => s.setCostModel(p),
  resetCostModel: (s) => s.resetCostModel(),
  listImages: (s) => s.listImages(),
  listGuests: (s) => s.listGuests(),
  createGuest: (s, p) => s.createGuest(p),
  startGuest: (s, p) => s.startGuest(p.id),
  pauseGuest: (s, p) => s.pauseGuest(p.id),
  resetGuest: (s, p) => s.resetGuest(p.id),
  removeGuest: (s, p) => s.removeGuest(p.id),
  setGuestOverride: (s, p) => s.setGuestOverride(p.id, p.override),
  consoleWrite: (s, p) => s.consoleWrite(p.id, p.data),
  consoleSubscribe: (s, p, c) => s.consoleSubscribe(c, p.id),
  consoleUnsubscribe: (s, p, c) => s.consoleUnsubscribe(c, p.id),
  consoleAck: (s, p, c) => s.consoleAck(c, p.id, p.bytes),
  resetStats: (s, p) => s.resetStats(p.id),
  getTrace: (s, p) => s.getTrace(p.id),
  getVcpuStats: (s, p) => s.getVcpuStats(p.id),
  startGdb: (s, p) => s.startGdb(p.id, p.port ?? 0),
  debugGuest: (s, p) => s.debugGuest(p),
  setBreakpoints: (s, p) => s.debug(p.id, p.vcpu ?? 0, { op: 'breakpoints', breakpoints: p.breakpoints }),
  inspectGuest: (s, p) => s.debug(p.id, p.vcpu ?? 0, { op: 'inspect' }),
  inspectTlb: (s, p) => s.debug(p.id, p.vcpu ?? 0, { op: 'tlb' }),
  readGuestMemory: (s, p) => s.debug(p.id, p.vcpu ?? 0, { op: 'memory', address: p.address, length: p.length, space: p.space ?? 'virtual' }),
  translateAddress: (s, p) => s.debug(p.id, p.vcpu ?? 0, { op: 'translate', address: p.address, fetch: p.fetch ?? false }),
  writeRegister: (s, p) => s.debug(p.id, p.vcpu ?? 0, { op: 'write', name: p.name, value: p.value }),
  saveSnapshot: (s, p) => s.saveSnapshot(p.id),
  forkGuest: (s, p) => s.forkGuest(p.id, {
    ...(p.name !== undefined ? { name: p.name } : {}), ...(p.override !== undefined ? { override: p.override } : {}), ...(p.start !== undefined ? { start: p.start } : {}),
  }),
  listExperiments: (s) => s.listExperiments(),
  runExperiment: (s, p) => s.runExperiment(p.spec),
  cancelExperiment: (s, p) => s.cancelExperiment(p.runId),
};

/**
 * One IPC message as Electron's main process receives it from the window
 * (anything at all: the preload sends {method, params}, but main trusts
 * nothing). Always resolves to a Result; never throws.
 */
export async function dispatchMessage(session: LabSession, client: LabClient, message: unknown): Promise<Result<unknown>> {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return fail('invalid-request', 'IPC message must be an object');
  const { method, params } = message as { method?: unknown; params?: unknown };
  return dispatch(session, client, method, params);
}

/** Validates and runs one call. Always resolves; never throws. */
export async function dispatch(session: LabSession, client: LabClient, method: unknown, params: unknown): Promise<Result<unknown>> {
  const call = validateCall(method, params);
  if (!call.ok) return call;
  try {
    const handler = HANDLERS[call.value.method] as Handler<LabMethodName>;
    return ok(await handler(session, call.value.params, client));
  } catch (e) {
    if (e instanceof LabFailure) return { ok: false, error: e.toError() };
    const message = e instanceof Error ? e.message : String(e);
    console.error(`lab: ${call.value.method} failed:`, e);
    return fail('internal', `${call.value.method} failed: ${message}`);
  }
}
