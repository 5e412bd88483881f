/**
 * The shape of a target description (targets/<name>.json) after loading.
 * targets/target.schema.json is the authority on what a file may contain;
 * these types mirror it, except that memory regions are numbers here (the
 * JSON spells them as hex strings so they read like a datasheet). The value
 * lists below are the schema's enums: test/targets/schemaEnums.test.ts fails
 * when the two differ, so a new value is added to both.
 */

export const ARCHES = [
  'host', 'avr', 'armv6-m', 'armv7e-m', 'armv8-m.main', 'armv8.1-m.main',
  'rv32imc', 'rv32imc_zbb', 'xtensa-lx106', 'xtensa-esp32', 'xtensa-esp32s3',
] as const;
export type Arch = (typeof ARCHES)[number];

export const FEATURES = ['dsp', 'mve', 'zbb', 'fpu', 'thumb2'] as const;
export type Feature = (typeof FEATURES)[number];

export const QEMU_SYSTEMS = ['qemu-system-arm', 'qemu-system-riscv32', 'qemu-system-xtensa'] as const;
export type QemuSystem = (typeof QEMU_SYSTEMS)[number];

/** Which directory of harness/ provides startup code, HAL and linker script. */
export const HARNESS_KINDS = ['arm', 'riscv', 'xtensa'] as const;
export type HarnessKind = (typeof HARNESS_KINDS)[number];

export interface Compiler {
  /** Compiler driver, looked up on PATH. */
  cc: string;
  /** CPU selection flags for every compile. */
  cflags: string[];
  /** CPU/multilib flags for the link. */
  linkFlags: string[];
  /** Debian packages that provide cc and its runtime. */
  aptPackages: string[];
}

export interface MemoryRegion {
  origin: number;
  length: number;
}

export interface QemuSpec {
  system: QemuSystem;
  machine: string;
  cpu?: string;
  /** -icount shift=N: one instruction = 2^N ns of virtual time. */
  icountShift: number;
  /** Frequency of the guest counter read by the harness (SysTick clock; 1e9 for minstret). */
  cpuHz: number;
  memory: { flash: MemoryRegion; ram: MemoryRegion };
  harness: HarnessKind;
}

export interface ArduinoSpec {
  fqbn: string;
  core: string;
  boardManagerUrl?: string;
}

export interface Budget {
  flashBytes: number;
  ramBytes: number;
}

export interface Target {
  name: string;
  aliases: string[];
  title: string;
  notes?: string;
  boards: string[];
  arch: Arch;
  /** Maximum clock of the real chip, when known. */
  clockHz?: number;
  compiler: Compiler;
  features: Feature[];
  /** Preferred kernel variants, best first (names of src/codegen/kernels.ts KERNEL_VARIANTS, checked at load); always contains 'portable'. */
  kernels: string[];
  wordBits: 32;
  alignment: 4;
  /** Flash/RAM of the real chip; null for the host. */
  budget: Budget | null;
  /** Largest single constant array the compiler accepts (avr-gcc: 32767); absent: no limit below the budget. */
  maxArrayBytes?: number;
  /** Most bytes of constants the kernels' loads can reach (AVR: pgm_read_* takes 16-bit addresses); absent: the budget. */
  maxConstantBytes?: number;
  qemu: QemuSpec | null;
  arduino: ArduinoSpec | null;
  /** Absolute path of the JSON file this target was loaded from. */
  file: string;
}
