/**
 * arduino-cli: compile a sketch against a generated library, read the board
 * list, upload. Always argument arrays (runProgram), never a shell. The JSON
 * shapes are those arduino-cli prints with `--format json` (accepted by 0.x
 * and, as a hidden synonym of --json, by 1.x):
 *
 *   compile:    { compiler_out, compiler_err, builder_result: { build_path,
 *                 executable_sections_size: [{ name, size, max_size }] },
 *                 success, error? }        exit status 1 on failure, same object
 *               The classic sizer reports "text" and, when the board states a
 *               RAM maximum, "data"; a platform's own sizer (recipe.advanced_size.pattern)
 *               reports whatever sections it likes (e.g. "FLASH", "RAM1").
 *   board list: { detected_ports: [{ port: { address, label, protocol, protocol_label },
 *                 matching_boards?: [{ name, fqbn }] }], warnings?: [...] }
 *               (>= 0.36; 0.19..0.35 print the bare array). When discovery fails,
 *               1.x prints "detected_ports": null and says why in "warnings".
 *
 * Failures become BnncErrors that keep arduino-cli's own diagnostics.
 */
import { BnncError } from '../errors.ts';
import { commandLine, findExecutable, runProgram, type RunResult } from './process.ts';

export const ARDUINO_CLI = 'arduino-cli';

const COMPILE_TIMEOUT_MS = 20 * 60_000; // a first ESP32 build compiles the whole core
const BOARD_LIST_TIMEOUT_MS = 60_000;
const UPLOAD_TIMEOUT_MS = 10 * 60_000;

/** Throws the "not installed" error unless arduino-cli is on PATH. */
export function requireArduinoCli(): string {
  const path = findExecutable(ARDUINO_CLI);
  if (path) return path;
  throw new BnncError(`'${ARDUINO_CLI}' was not found on PATH`, {
    expected: 'arduino-cli 0.19 or newer (it is not packaged in Debian)',
    hint: 'install it as https://arduino.github.io/arduino-cli/latest/installation/ describes, '
      + 'then check with: arduino-cli version',
  });
}

/** The lines that install a board package (core), with the board-manager URL when it is not Arduino's own. */
export function coreInstallCommands(core: string, boardManagerUrl?: string): string[] {
  const urls = boardManagerUrl ? ['--additional-urls', boardManagerUrl] : [];
  return [
    commandLine(ARDUINO_CLI, ['core', 'update-index', ...urls]),
    commandLine(ARDUINO_CLI, ['core', 'install', core, ...urls]),
  ];
}

/** vendor:architecture of an FQBN (its first two fields) */
export function coreOf(fqbn: string): string {
  return fqbn.split(':').slice(0, 2).join(':');
}

/** vendor:architecture:board, without menu options (esp32:esp32:esp32c3:CDCOnBoot=cdc -> esp32:esp32:esp32c3). */
export function boardOf(fqbn: string): string {
  return fqbn.split(':').slice(0, 3).join(':');
}

/** One section as arduino-cli reports it; maxSize null when the board states none. */
export interface ExecutableSection {
  name: string;
  size: number;
  maxSize: number | null;
}

export interface SectionSizes {
  /** Every section reported, in arduino-cli's order (also the ones other than text and data). */
  sections: ExecutableSection[];
  /** Program storage ("text" section: code + constants); null when arduino-cli did not report it. */
  flashBytes: number | null;
  flashMax: number | null;
  /** Static RAM ("data" section: initialised + zeroed globals). */
  ramBytes: number | null;
  ramMax: number | null;
}

export interface CompileOutcome {
  success: boolean;
  compilerOut: string;
  compilerErr: string;
  error: string;
  buildPath: string | null;
  sizes: SectionSizes;
}

/** The JSON object in arduino-cli's output (some versions print progress lines before it); null if there is none. */
export function extractJson(stdout: string): unknown {
  const text = stdout.trim();
  const starts = [0, ...[...text.matchAll(/\n(?=[{[])/g)].map((m) => m.index! + 1)];
  for (const start of starts) {
    try {
      return JSON.parse(text.slice(start));
    } catch {
      // not JSON from here on; try the next line that starts with { or [
    }
  }
  return null;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function parseCompileJson(stdout: string): CompileOutcome | null {
  const json = extractJson(stdout);
  if (!json || typeof json !== 'object' || Array.isArray(json)) return null;
  const o = json as Record<string, unknown>;
  const builder = (o.builder_result ?? {}) as Record<string, unknown>;
  const reported = Array.isArray(builder.executable_sections_size) ? builder.executable_sections_size as unknown[] : [];
  const sections = reported.flatMap((entry): ExecutableSection[] => {
    const e = (entry ?? {}) as Record<string, unknown>;
    const size = num(e.size);
    return str(e.name) && size !== null ? [{ name: str(e.name), size, maxSize: num(e.max_size) || null }] : [];
  });
  const section = (name: string) => sections.find((s) => s.name === name);
  const text = section('text');
  const data = section('data');
  return {
    success: o.success === true,
    compilerOut: str(o.compiler_out),
    compilerErr: str(o.compiler_err),
    error: str(o.error),
    buildPath: str(builder.build_path) || null,
    sizes: {
      sections,
      flashBytes: text?.size ?? null, flashMax: text?.maxSize ?? null,
      ramBytes: data?.size ?? null, ramMax: data?.maxSize ?? null,
    },
  };
}

/** Up to `max` lines of a tool's output, for an error message. */
export function diagnosticLines(text: string, max = 40): string {
  const lines = text.trimEnd().split('\n').filter((l, i, all) => l.trim() !== '' || (i > 0 && all[i - 1].trim() !== ''));
  return lines.length > max ? [...lines.slice(0, max), `... (${lines.length - max} more lines)`].join('\n') : lines.join('\n');
}

const MISSING_CORE = /platform not installed|platform '?[\w.-]+:[\w.-]+'? (?:is )?not (?:found|installed)|unknown package/i;

export interface CompileRequest {
  fqbn: string;
  sketchDir: string;
  /** Root folder of the library (library.properties + src/). */
  libraryDir: string;
  buildPath: string;
  /** Core to name in the "install it" hint; default: from the FQBN. */
  core?: string;
  boardManagerUrl?: string;
  timeoutMs?: number;
}

export interface CompileResult extends CompileOutcome {
  command: string;
}

/** arduino-cli compile --fqbn F --format json --build-path B --library L <sketch> */
export async function arduinoCompile(req: CompileRequest): Promise<CompileResult> {
  requireArduinoCli();
  const args = ['compile', '--fqbn', req.fqbn, '--format', 'json', '--build-path', req.buildPath, '--library', req.libraryDir, req.sketchDir];
  const r = await runProgram(ARDUINO_CLI, args, { timeoutMs: req.timeoutMs ?? COMPILE_TIMEOUT_MS, maxOutputBytes: 256 << 20 });
  const outcome = parseCompileJson(r.stdout);
  const core = req.core ?? coreOf(req.fqbn);
  const everything = [outcome?.error, outcome?.compilerErr, r.stderr, outcome ? '' : r.stdout].filter(Boolean).join('\n');
  if (r.exitCode !== 0 || !outcome || !outcome.success) {
    if (MISSING_CORE.test(everything)) {
      throw new BnncError(`the board package (core) ${core} for ${req.fqbn} is not installed`, {
        expected: `an installed core ${core}`,
        hint: `install it with:\n    ${coreInstallCommands(core, req.boardManagerUrl).join('\n    ')}\n`
          + `arduino-cli said:\n${diagnosticLines(everything, 10)}\ncommand: ${r.command}`,
      });
    }
    const what = outcome ? 'compiling the sketch failed' : 'arduino-cli compile printed no JSON result';
    throw new BnncError(`${what} (arduino-cli exit ${r.exitCode}) for ${req.fqbn}:\n${diagnosticLines(everything || r.stdout)}`, {
      hint: `${outcome
        ? 'the messages above are the compiler\'s; bnnc verified the C on the host, so a failure here is usually the board core or the sketch'
        : 'check the arduino-cli version (0.19 or newer has --format json)'}\ncommand: ${r.command}`,
    });
  }
  return { ...outcome, command: r.command };
}

export interface DetectedPort {
  address: string;
  protocol: string;
  label: string;
  boards: Array<{ name: string; fqbn: string }>;
}

/** The ports arduino-cli found, and the warnings it gave (e.g. a discovery tool that failed to start). */
export interface BoardList {
  ports: DetectedPort[];
  warnings: string[];
}

export function parseBoardList(stdout: string): BoardList | null {
  const json = extractJson(stdout);
  const object = json && typeof json === 'object' && !Array.isArray(json) ? json as Record<string, unknown> : null;
  // 0.19..0.35: a bare array; 1.x: { detected_ports } where null (discovery failed) or a missing key means no ports.
  const entries = Array.isArray(json) ? json
    : object && Array.isArray(object.detected_ports) ? object.detected_ports
      : object && object.detected_ports == null && typeof object.error !== 'string' ? [] : null;
  if (!entries) return null;
  const warnings = object && Array.isArray(object.warnings) ? object.warnings.map((w) => (typeof w === 'string' ? w : JSON.stringify(w))) : [];
  const ports = entries.map((e) => {
    const entry = (e ?? {}) as Record<string, unknown>;
    const port = (entry.port ?? entry) as Record<string, unknown>; // 0.19+ nests the port; older versions did not
    const boards = (Array.isArray(entry.matching_boards) ? entry.matching_boards : Array.isArray(entry.boards) ? entry.boards : []) as Record<string, unknown>[];
    return {
      address: str(port.address),
      protocol: str(port.protocol),
      label: str(port.protocol_label) || str(port.label),
      boards: boards.map((b) => ({ name: str((b ?? {}).name), fqbn: str((b ?? {}).fqbn) })),
    };
  });
  return { ports, warnings };
}

/** arduino-cli board list --format json */
export async function arduinoBoardList(): Promise<BoardList> {
  requireArduinoCli();
  const r = await runProgram(ARDUINO_CLI, ['board', 'list', '--format', 'json'], { timeoutMs: BOARD_LIST_TIMEOUT_MS });
  const list = parseBoardList(r.stdout);
  if (r.exitCode !== 0 || !list) {
    throw new BnncError(`listing the connected boards failed (arduino-cli exit ${r.exitCode}):\n${diagnosticLines(`${r.stderr}\n${r.stdout}`)}`, {
      hint: `pass the port yourself with --port\ncommand: ${r.command}`,
    });
  }
  return list;
}

function describePort(p: DetectedPort): string {
  const boards = p.boards.length > 0 ? p.boards.map((b) => `${b.name || '?'} (${b.fqbn || 'no FQBN'})`).join(', ') : 'unknown board';
  return `${p.address} [${p.label || p.protocol || 'port'}]: ${boards}`;
}

/** The one detected port whose board matches `fqbn` (menu options ignored); zero or several: an error listing what was found. */
export function selectPort(list: BoardList, fqbn: string): DetectedPort {
  const { ports, warnings } = list;
  const board = boardOf(fqbn);
  const matches = ports.filter((p) => p.boards.some((b) => b.fqbn && boardOf(b.fqbn) === board));
  if (matches.length === 1) return matches[0];
  const found = (ports.length > 0 ? `arduino-cli board list found:\n    ${ports.map(describePort).join('\n    ')}` : 'arduino-cli board list found no ports at all')
    + (warnings.length > 0 ? `\narduino-cli warned:\n    ${warnings.join('\n    ')}` : '');
  if (matches.length === 0) {
    throw new BnncError(`no connected board matches ${board}`, {
      expected: `exactly one port with a ${board} board`,
      hint: `${found}\nplug the board in (a data cable, not a charge-only one), or name its port with --port `
        + '(boards behind a USB-serial bridge, common on ESP32 boards, show up as "unknown board")',
    });
  }
  throw new BnncError(`${matches.length} connected boards match ${board}: ${matches.map((p) => p.address).join(', ')}`, {
    expected: 'exactly one',
    hint: `${found}\nchoose one with --port`,
  });
}

export interface UploadRequest {
  port: string;
  fqbn: string;
  sketchDir: string;
  /** Build folder of the compile step (uploaded as it is, not rebuilt). */
  buildPath: string;
  timeoutMs?: number;
}

/** arduino-cli upload -p P --fqbn F --input-dir B <sketch> */
export async function arduinoUpload(req: UploadRequest): Promise<RunResult> {
  requireArduinoCli();
  const args = ['upload', '-p', req.port, '--fqbn', req.fqbn, '--input-dir', req.buildPath, req.sketchDir];
  const r = await runProgram(ARDUINO_CLI, args, { timeoutMs: req.timeoutMs ?? UPLOAD_TIMEOUT_MS });
  if (r.exitCode !== 0) {
    throw new BnncError(`uploading to ${req.port} failed (arduino-cli exit ${r.exitCode}):\n${diagnosticLines(`${r.stderr}\n${r.stdout}`)}`, {
      hint: 'close any serial monitor that holds the port; check the port (arduino-cli board list) and its permissions '
        + '(Linux: the dialout group); some boards need their bootloader started by hand (ESP32: hold BOOT; RP2040: hold BOOTSEL while plugging in)'
        + `\ncommand: ${r.command}`,
    });
  }
  return r;
}

/** Debian's packages for a real AVR Arduino build without arduino-cli (test/arduino/arduino-build.test.ts runs one). */
export const ARDUINO_BUILDER_APT = ['arduino-builder', 'arduino-core-avr', 'arduino-ctags', 'gcc-avr', 'avr-libc'] as const;
const DEBIAN_HARDWARE = '/usr/share/arduino/hardware';

export interface BuilderRequest {
  /** Debian's arduino-builder does not fill in menu defaults: arduino:avr:mega needs :cpu=atmega2560. */
  fqbn: string;
  /** The sketch's .ino file. */
  sketch: string;
  /** A folder that holds the library folder(s). */
  librariesDir: string;
  /** An empty (or earlier) build folder. */
  buildPath: string;
  timeoutMs?: number;
}

/** Parses "Sketch uses N bytes ... Maximum is M bytes." and "Global variables use N bytes ... Maximum is M bytes." */
export function parseBuilderSizes(output: string): SectionSizes {
  const flash = /Sketch uses (\d+) bytes.*?Maximum is (\d+) bytes/.exec(output);
  const ram = /Global variables use (\d+) bytes.*?Maximum is (\d+) bytes/.exec(output);
  return {
    sections: [
      ...(flash ? [{ name: 'text', size: Number(flash[1]), maxSize: Number(flash[2]) }] : []),
      ...(ram ? [{ name: 'data', size: Number(ram[1]), maxSize: Number(ram[2]) }] : []),
    ],
    flashBytes: flash ? Number(flash[1]) : null, flashMax: flash ? Number(flash[2]) : null,
    ramBytes: ram ? Number(ram[1]) : null, ramMax: ram ? Number(ram[2]) : null,
  };
}

/**
 * A real Arduino build with Debian's arduino-builder and AVR core (the engine
 * of the Arduino IDE 1.x): sketch preprocessing, library discovery, core, link.
 * The ctags and DECIMAL_DIG settings are what Debian's packages need
 * (test/arduino/arduino-build.test.ts builds a sketch this way).
 */
export async function arduinoBuilderCompile(req: BuilderRequest): Promise<SectionSizes & { output: string }> {
  const args = ['-compile', '-hardware', DEBIAN_HARDWARE, '-tools', '/usr/bin', '-libraries', req.librariesDir,
    '-fqbn', req.fqbn, '-build-path', req.buildPath, '-warnings', 'all',
    '-prefs=tools.ctags.path=/usr/bin', '-prefs=tools.ctags.cmd.path=/usr/bin/arduino-ctags',
    '-prefs=tools.ctags.pattern="{cmd.path}" -u --language-force=c++ -f - --c++-kinds=svpf --fields=KSTtzns --line-directives "{source_file}"',
    '-prefs=compiler.cpp.extra_flags=-DDECIMAL_DIG=17', req.sketch];
  const r = await runProgram('arduino-builder', args, { timeoutMs: req.timeoutMs ?? 300_000, aptPackages: ARDUINO_BUILDER_APT });
  const output = `${r.stdout}\n${r.stderr}`;
  if (r.exitCode !== 0) {
    throw new BnncError(`arduino-builder failed (exit ${r.exitCode}) for ${req.fqbn}:\n${diagnosticLines(output)}`, { hint: `command: ${r.command}` });
  }
  return { ...parseBuilderSizes(output), output };
}
