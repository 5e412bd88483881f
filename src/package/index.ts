/**
 * Packaging the generated C for a build system: an Arduino library, a
 * PlatformIO library, or plain C with a Makefile and a CMakeLists.txt. The C
 * files themselves come unchanged from generateC; this module only places them
 * and renders the surrounding files from templates/arduino, templates/platformio
 * and templates/make.
 */
import type { GeneratedFile } from '../codegen/generate.ts';
import { render } from '../codegen/templates.ts';
import { packageContext, type PackageInfo } from './context.ts';
import type { PackageFormat } from './formats.ts';

export { defaultFormat, PACKAGE_FORMATS, parseFormat, type PackageFormat } from './formats.ts';

/** Folder of the self-test example inside an Arduino or PlatformIO library. */
export function selftestSketchDir(name: string): string {
  return `examples/${name}_selftest`;
}

/** The files of one package, with paths relative to its root folder. */
export function packageFiles(format: PackageFormat, info: PackageInfo, files: GeneratedFile[]): GeneratedFile[] {
  const context = packageContext(info);
  const { name } = info;
  switch (format) {
    case 'arduino':
    case 'platformio': {
      const manifest: GeneratedFile = format === 'arduino'
        ? { name: 'library.properties', content: render('arduino/library.properties', context) }
        : { name: 'library.json', content: render('platformio/library.json', context) };
      return [
        manifest,
        ...files.map((f) => ({ name: `src/${f.name}`, content: f.content })),
        { name: `${selftestSketchDir(name)}/${name}_selftest.ino`, content: render('arduino/selftest.ino', context) },
        { name: `examples/${name}_predict/${name}_predict.ino`, content: render('arduino/predict.ino', context) },
      ];
    }
    case 'c': {
      const libSources = files.map((f) => f.name).filter((f) => f.endsWith('.c') && f !== `${name}_selftest.c`);
      const make = { ...context, libSources };
      return [
        ...files,
        { name: context.selftestMainFile, content: render('make/selftest_main.c', context) },
        { name: 'Makefile', content: render('make/Makefile', make) },
        { name: 'CMakeLists.txt', content: render('make/CMakeLists.txt', make) },
      ];
    }
  }
}
