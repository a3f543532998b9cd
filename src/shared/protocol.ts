// Schemas for every message that crosses a process boundary: LabApi method
// parameters (checked in Electron main and in the web bridge before the
// LabSession sees them) and the WebSocket envelopes. A message that fails a
// schema gets an 'invalid-request' error naming the field; nothing else stops.

import { z } from 'zod';
import { LAB_METHOD_NAMES, LIMITS, type LabMethodName, type ParamsOf } from './api';
import { MEMORY_VIEW_MAX, STEP_LIMIT, STEP_UNITS } from './debug';
import { fail, ok, type Result } from './result';

const id = z.string().min(1).max(64);
const empty = z.strictObject({});
const hwPatch = z.strictObject({
  strategies: z.record(z.string().max(32), z.string().max(16)).optional(),
  direct: z.record(z.string().max(32), z.boolean()).optional(),
  policy: z.strictObject({
    injection: z.string().max(16).optional(),
    sharedSave: z.string().max(16).optional(),
    hostPageKb: z.number().int().min(1).max(1 << 21).optional(),
    hostTlb: z.string().max(16).optional(),
  }).optional(),
});
const vcpu = z.number().int().min(0).max(7).optional();
const address = z.number().int().min(0).max(0xFFFFFFFF);
const breakpoints = z.strictObject({
  pcs: z.array(address).max(64),
  exits: z.array(z.string().max(48)).max(64),
  sprs: z.array(z.strictObject({ name: z.string().min(1).max(16), access: z.enum(['read', 'write', 'any']) })).max(32),
});
const base64 = z.string().max(Math.ceil(LIMITS.maxImageBytes / 3) * 4).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

export const PARAM_SCHEMAS = {
  getHwConfig: empty,
  setHwConfig: hwPatch,
  listPresets: empty,
  applyPreset: z.strictObject({ preset: z.enum(['isa206', 'none', 'all', 'x86']) }),
  getCostModel: empty,
  setCostModel: z.record(z.string().max(32), z.number()),
  resetCostModel: empty,
  listImages: empty,
  listGuests: empty,
  createGuest: z.strictObject({
    name: z.string().min(1).max(32).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only').optional(),
    image: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/).optional(),
    upload: z.strictObject({ fileName: z.string().min(1).max(255), data: base64 }).optional(),
    ramMb: z.number().int().min(64).max(2048).multipleOf(64).optional(),
    smp: z.number().int().min(1).max(8).optional(),
    model: z.enum(['native', 'booke-hv', 'state-transfer', 'trap-and-emulate']).optional(),
    override: hwPatch.optional(),
    bootargs: z.string().max(1024).refine((b) => !b.includes('\0'), 'must not contain NUL characters').optional(),
    start: z.boolean().optional(),
    snapshot: z.strictObject({ fileName: z.string().min(1).max(255), data: base64 }).optional(),
  }).refine((s) => (s.snapshot !== undefined && (s.image === undefined || s.upload === undefined)) || (s.image === undefined) !== (s.upload === undefined),
    'give exactly one of image or upload (or a snapshot)'),
  startGuest: z.strictObject({ id }),
  pauseGuest: z.strictObject({ id }),
  resetGuest: z.strictObject({ id }),
  removeGuest: z.strictObject({ id }),
  setGuestOverride: z.strictObject({ id, override: hwPatch.nullable() }),
  consoleWrite: z.strictObject({ id, data: z.string().max(LIMITS.maxConsoleWrite) }),
  consoleSubscribe: z.strictObject({ id }),
  consoleUnsubscribe: z.strictObject({ id }),
  consoleAck: z.strictObject({ id, bytes: z.number().int().min(0).max(1 << 30) }),
  resetStats: z.strictObject({ id: id.optional() }),
  getTrace: z.strictObject({ id }),
  getVcpuStats: z.strictObject({ id }),
  startGdb: z.strictObject({ id, port: z.number().int().min(0).max(65535).optional() }),
  debugGuest: z.strictObject({
    id, vcpu, action: z.enum(['pause', 'continue', 'step']),
    unit: z.enum(STEP_UNITS as [string, ...string[]]).optional(),
    count: z.number().int().min(1).max(STEP_LIMIT).optional(),
    address: address.optional(),
  }).refine((p) => p.unit !== 'address' || p.address !== undefined, 'a step to an address needs address'),
  setBreakpoints: z.strictObject({ id, vcpu, breakpoints }),
  inspectGuest: z.strictObject({ id, vcpu }),
  inspectTlb: z.strictObject({ id, vcpu }),
  readGuestMemory: z.strictObject({ id, vcpu, address, length: z.number().int().min(1).max(MEMORY_VIEW_MAX), space: z.enum(['virtual', 'physical']).optional() }),
  translateAddress: z.strictObject({ id, vcpu, address, fetch: z.boolean().optional() }),
  writeRegister: z.strictObject({ id, vcpu, name: z.string().min(1).max(16), value: z.number().finite() }),
  saveSnapshot: z.strictObject({ id }),
  forkGuest: z.strictObject({
    id, name: z.string().min(1).max(32).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only').optional(), override: hwPatch.optional(), start: z.boolean().optional(),
  }),
  listExperiments: empty,
  // The experiment itself is checked against its own schema (shared/experiment.ts), which names the field.
  runExperiment: z.strictObject({ spec: z.unknown() }),
  cancelExperiment: z.strictObject({ runId: z.string().min(1).max(16) }),
} satisfies Record<LabMethodName, z.ZodType>;

function describe(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join('.') : 'params'}: ${i.message}`)
    .join('; ');
}

export function isMethodName(name: unknown): name is LabMethodName {
  return typeof name === 'string' && (LAB_METHOD_NAMES as readonly string[]).includes(name);
}

/** Checks a method name and its parameters; the value is the parsed parameters. */
export function validateCall(method: unknown, params: unknown): Result<{ method: LabMethodName; params: ParamsOf<LabMethodName> }> {
  if (!isMethodName(method)) {
    return fail('unknown-method', `Unknown method ${JSON.stringify(String(method)).slice(0, 80)}`, { methods: LAB_METHOD_NAMES });
  }
  const parsed = PARAM_SCHEMAS[method].safeParse(params ?? {});
  if (!parsed.success) return fail('invalid-request', `${method}: ${describe(parsed.error)}`);
  return ok({ method, params: parsed.data as ParamsOf<LabMethodName> });
}

/** A request on the WebSocket: {"id": n, "method": "...", "params": {...}}. */
export const WS_REQUEST = z.strictObject({
  id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  method: z.string().max(64),
  params: z.unknown().optional(),
});

export type WsRequest = z.infer<typeof WS_REQUEST>;
/** The reply to a request, matched by id. */
export interface WsResponse { id: number; result: Result<unknown> }
/** An event pushed by the lab. */
export interface WsEventMessage { event: unknown }

/** Parses one WebSocket text frame into a request, with a clear error when it is not one. */
export function parseWsRequest(text: string): Result<WsRequest> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail('invalid-request', 'Message is not valid JSON');
  }
  const parsed = WS_REQUEST.safeParse(json);
  if (!parsed.success) return fail('invalid-request', `Malformed request: ${describe(parsed.error)}`);
  return ok(parsed.data);
}
