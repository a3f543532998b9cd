// `--guest` specifications of `lab session`: IMAGE[:KEY=VALUE,...]
//
//   IMAGE     a bundled image id (labos, linux, hello, intmix...) or a path to an ELF file (gzip-compressed or not)
//   name=N    the guest's name (unique; other guests' labOS `send N ...` uses it)
//   model=M   native | booke-hv | state-transfer
//   ram=MB    RAM size, a multiple of 64
//   smp=N     vCPUs, 1 to 8
//   bootargs=S  the device tree's /chosen/bootargs (labOS: a ';'-separated script)
//   preset=P  per-guest hardware override from a preset (isa206, none, all, x86)
//   dup=SPR,SPR...   override: these SPRs duplicated
//   trap=SPR,SPR...  override: these SPRs trap
//   gdb=PORT  a GDB stub on 127.0.0.1:PORT (0: any free port); the guest waits at its entry for GDB
//   start=no  the guest is created stopped at its entry (a script's step/continue/start runs it)
//
// Values may contain commas: a comma starts a new key only when a known key
// and '=' follow it ("bootargs=echo a,b; poweroff" keeps its comma).

import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { GUEST_MODELS, type GuestModel, type GuestSpec } from '../../shared/api';
import { type HwConfigPatch, isPresetId, presetConfig, PRESETS } from '../../shared/hw';

const KEYS = ['name', 'model', 'ram', 'smp', 'bootargs', 'preset', 'dup', 'trap', 'gdb', 'start'] as const;
type Key = (typeof KEYS)[number];
const MODELS: readonly GuestModel[] = GUEST_MODELS.map((m) => m.id);
const SPLIT = new RegExp(`,(?=(?:${KEYS.join('|')})=)`);

export class SpecError extends Error {}

function isKey(k: string): k is Key {
  return (KEYS as readonly string[]).includes(k);
}

function sprList(value: string): string[] {
  return value.split(/[,+]/).map((s) => s.trim()).filter(Boolean);
}

/** A --guest value: the LabApi GuestSpec, and the session's own options. */
export type SessionGuestSpec = GuestSpec & {
  /** Start a GDB stub on this port (0: a free one); the guest waits for GDB. Not part of the LabApi spec. */
  gdbPort?: number;
  /** false: created stopped at its entry (start=no). */
  autostart?: boolean;
};

/** Parses one --guest value into a LabApi GuestSpec (started later by the caller). */
export function parseGuestSpec(text: string, readFile: (path: string) => Uint8Array = (p) => readFileSync(p)): SessionGuestSpec {
  const colon = text.indexOf(':');
  const image = colon < 0 ? text : text.slice(0, colon);
  const rest = colon < 0 ? '' : text.slice(colon + 1);
  if (!image) throw new SpecError(`--guest "${text}": the image is missing (e.g. labos or path/to/guest.elf)`);
  const spec: SessionGuestSpec = {};
  if (image.includes('/') || image.endsWith('.elf') || image.endsWith('.gz') || existsSync(image)) {
    let bytes: Uint8Array;
    try {
      bytes = readFile(image);
    } catch (e) {
      throw new SpecError(`--guest "${text}": cannot read ${image}: ${e instanceof Error ? e.message : String(e)}`);
    }
    spec.upload = { fileName: basename(image), data: Buffer.from(bytes).toString('base64') };
  } else {
    spec.image = image;
  }
  let override: HwConfigPatch | undefined;
  const patch = () => (override ??= {});
  for (const part of rest ? rest.split(SPLIT) : []) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    if (!isKey(key)) throw new SpecError(`--guest "${text}": unknown key "${key}". Keys: ${KEYS.join(', ')}`);
    if (eq < 0) throw new SpecError(`--guest "${text}": ${key} needs a value (${key}=...)`);
    switch (key) {
      case 'name': spec.name = value; break;
      case 'bootargs': spec.bootargs = value; break;
      case 'model':
        if (!(MODELS as readonly string[]).includes(value)) throw new SpecError(`--guest "${text}": unknown model "${value}". Models: ${MODELS.join(', ')}`);
        spec.model = value as GuestModel;
        break;
      case 'ram': {
        const mb = Number(value);
        if (!Number.isInteger(mb)) throw new SpecError(`--guest "${text}": ram must be a whole number of MB (got "${value}")`);
        spec.ramMb = mb;
        break;
      }
      case 'smp': {
        const n = Number(value);
        if (!/^\d+$/.test(value) || n < 1 || n > 8) throw new SpecError(`--guest "${text}": smp must be 1 to 8 vCPUs (got "${value}")`);
        spec.smp = n;
        break;
      }
      case 'preset': {
        if (!isPresetId(value)) throw new SpecError(`--guest "${text}": unknown preset "${value}". Presets: ${PRESETS.map((p) => p.id).join(', ')}`);
        const c = presetConfig(value);
        const o = patch();
        o.strategies = { ...o.strategies, ...c.strategies };
        o.direct = { ...o.direct, ...c.direct };
        break;
      }
      case 'start':
        if (value !== 'yes' && value !== 'no') throw new SpecError(`--guest "${text}": start is yes or no (got "${value}")`);
        spec.autostart = value === 'yes';
        break;
      case 'gdb': {
        const port = Number(value);
        if (!/^\d+$/.test(value) || port > 65535) throw new SpecError(`--guest "${text}": gdb needs a TCP port number, 0 for any free one (got "${value}")`);
        spec.gdbPort = port;
        break;
      }
      case 'dup':
      case 'trap': {
        const o = patch();
        o.strategies ??= {};
        for (const spr of sprList(value)) o.strategies[spr.toUpperCase()] = key === 'dup' ? 'duplicate' : 'trap';
        break;
      }
    }
  }
  if (override) spec.override = override;
  return spec;
}
