/**
 * Flash and RAM use of a compiled program, read from the ELF section headers
 * (ELF32 and ELF64, little- or big-endian; objects and executables). Reading
 * the headers ourselves avoids depending on each toolchain's `size` and its
 * output format.
 *
 * Definition used everywhere in bnnc:
 *   flash = sum of allocated sections that occupy file space (SHF_ALLOC and
 *           not SHT_NOBITS): code, constants, and the .data initial image;
 *   ram   = sum of allocated writable sections (SHF_ALLOC | SHF_WRITE):
 *           .data and .bss. The stack and heap are not included.
 * For a linked harness program both include the harness itself (vector
 * table, start-up, HAL: a few hundred bytes).
 */
import { readFileSync } from 'node:fs';
import { BnncError } from '../errors.ts';

const SHT_NOBITS = 8;
const SHF_WRITE = 0x1;
const SHF_ALLOC = 0x2;

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  addr: number;
  size: number;
}

export interface MemoryUse {
  flashBytes: number;
  ramBytes: number;
}

/** Section headers of an ELF file. */
export function readSections(file: string): ElfSection[] {
  const buf = readFileSync(file);
  if (buf.length < 52 || buf.readUInt32BE(0) !== 0x7f454c46) {
    throw new BnncError('not an ELF file', { file });
  }
  const is64 = buf[4] === 2;
  const le = buf[5] === 1;
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const word = (o: number) => (is64 ? Number(le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o)) : u32(o));

  const shoff = word(is64 ? 0x28 : 0x20);
  const shentsize = u16(is64 ? 0x3a : 0x2e);
  const shnum = u16(is64 ? 0x3c : 0x30);
  const shstrndx = u16(is64 ? 0x3e : 0x32);

  const header = (i: number) => {
    const o = shoff + i * shentsize;
    return {
      nameOff: u32(o),
      type: u32(o + 4),
      flags: word(o + 8),
      addr: word(is64 ? o + 0x10 : o + 0x0c),
      offset: word(is64 ? o + 0x18 : o + 0x10),
      size: word(is64 ? o + 0x20 : o + 0x14),
    };
  };
  const strtab = header(shstrndx);
  const name = (off: number) => {
    const start = strtab.offset + off;
    return buf.toString('latin1', start, buf.indexOf(0, start));
  };
  const sections: ElfSection[] = [];
  for (let i = 1; i < shnum; i++) {
    const h = header(i);
    sections.push({ name: name(h.nameOff), type: h.type, flags: h.flags, addr: h.addr, size: h.size });
  }
  return sections;
}

/** Flash/RAM use of one ELF file (see the definition at the top of this file). */
export function memoryUse(file: string): MemoryUse {
  let flashBytes = 0;
  let ramBytes = 0;
  for (const s of readSections(file)) {
    if (!(s.flags & SHF_ALLOC)) continue;
    if (s.type !== SHT_NOBITS) flashBytes += s.size;
    if (s.flags & SHF_WRITE) ramBytes += s.size;
  }
  return { flashBytes, ramBytes };
}

/** Summed flash/RAM use of several object files (before linking, so before --gc-sections). */
export function memoryUseOfObjects(files: readonly string[]): MemoryUse {
  return files.map(memoryUse).reduce(
    (a, b) => ({ flashBytes: a.flashBytes + b.flashBytes, ramBytes: a.ramBytes + b.ramBytes }),
    { flashBytes: 0, ramBytes: 0 },
  );
}
