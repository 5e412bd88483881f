/**
 * Packaging the generated C for a build system: an Arduino library, a
 * PlatformIO library, or plain C with a Makefile and a CMakeLists.txt. The C
 * files themselves come unchanged from generateC; this module only places them
 * and renders the surrounding files from templates/arduino, templates/platformio
 * and templates/make.
 */
import { generateC, type GeneratedFile } from '../codegen/generate.ts';
import type { LoweredModel } from '../ir/types.ts';
import { modelProvenance } from '../codegen/banner.ts';
import { render } from '../codegen/templates.ts';
import { packageContext, type PackageInfo } from './context.ts';
import type { PackageFormat } from './formats.ts';

export { defaultFormat, PACKAGE_FORMATS, parseFormat, type PackageFormat } from './formats.ts';

/** Folder of the self-test example inside an Arduino or PlatformIO library. */
export function selftestSketchDir(name: string): string {
  return `examples/${name}_selftest`;
}

/**
 * The C sources of `model` with `vectors` as the self-test, packaged as
 * `format` (bnnc build and the library API's generate(), bnnc flash).
 */
export function generatePackage(format: PackageFormat, model: LoweredModel, opts: { name: string; vectors: number[][]; kernel: string; targetName: string }): GeneratedFile[] {
  const { name, vectors, kernel, targetName } = opts;
  const sources = generateC(model, { name, vectors, kernelVariant: kernel, target: targetName });
  return packageFiles(format, { model, name, vectorCount: vectors.length, targetName, kernel }, sources);
}

/** The files of one package, with paths relative to its root folder. */
export function packageFiles(format: PackageFormat, info: PackageInfo, files: GeneratedFile[]): GeneratedFile[] {
  const context = packageContext(info);
  const { name } = info;
  const origin = modelProvenance(info.model);
  const file = (path: string, template: string, fileContext: object = context): GeneratedFile =>
    ({ name: path, content: render(template, path, origin, fileContext) });
  switch (format) {
    case 'arduino':
    case 'platformio': {
      const manifest = format === 'arduino'
        ? file('library.properties', 'arduino/library.properties')
        : file('library.json', 'platformio/library.json');
      return [
        manifest,
        ...files.map((f) => ({ name: `src/${f.name}`, content: f.content })),
        file(`${selftestSketchDir(name)}/${name}_selftest.ino`, 'arduino/selftest.ino'),
        file(`examples/${name}_predict/${name}_predict.ino`, 'arduino/predict.ino'),
      ];
    }
    case 'c': {
      const libSources = files.map((f) => f.name).filter((f) => f.endsWith('.c') && f !== `${name}_selftest.c`);
      const make = { ...context, libSources };
      return [
        ...files,
        file(context.selftestMainFile, 'make/selftest_main.c'),
        file('Makefile', 'make/Makefile', make),
        file('CMakeLists.txt', 'make/CMakeLists.txt', make),
      ];
    }
  }
}
