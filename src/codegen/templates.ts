/**
 * The Handlebars environment: compiled with strict (a missing field is an
 * error, not an empty string), noEscape (C, not HTML) and knownHelpersOnly.
 * Partials are registered by path under templates/ ("c/calls/dense_b1").
 * Every rendered file starts with the banner of src/codegen/banner.ts, which
 * render() builds from the file name and the model's provenance.
 *
 * C that does not vary is not a template: runtime/ holds it as plain .c/.h
 * files (compiled and reviewed like any C), and runtimeFile() copies one with
 * the same banner in front.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Handlebars from 'handlebars';
import { PROJECT_ROOT } from '../version.ts';
import { banner, type Provenance } from './banner.ts';

const TEMPLATE_DIR = join(PROJECT_ROOT, 'templates');
/** The static C runtime, copied as is after the banner. */
export const RUNTIME_DIR = join(PROJECT_ROOT, 'runtime');
const OPTIONS = { strict: true, noEscape: true, knownHelpersOnly: true } as const;

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.hbs') ? [join(dir, e.name)] : []);
}

let env: typeof Handlebars | null = null;
const compiled = new Map<string, HandlebarsTemplateDelegate>();

function environment(): typeof Handlebars {
  if (env) return env;
  env = Handlebars.create();
  for (const file of walk(TEMPLATE_DIR)) {
    const key = relative(TEMPLATE_DIR, file).replace(/\\/g, '/').replace(/\.hbs$/, '');
    const dirName = key.split('/').slice(-2, -1)[0];
    if (dirName === 'partials' || dirName === 'calls') {
      const partialName = dirName === 'partials' ? key.replace('/partials/', '/') : key;
      env.registerPartial(partialName, env.compile(readFileSync(file, 'utf8'), OPTIONS));
    }
  }
  return env;
}

/**
 * Renders templates/<name>.hbs as the generated file `file` of the model
 * `origin`; line endings are always \n. The template prints `{{{banner}}}`
 * first (JSON files, which have no comments, print none).
 */
export function render(name: string, file: string, origin: Provenance, context: object): string {
  let template = compiled.get(name);
  if (!template) {
    template = environment().compile(readFileSync(join(TEMPLATE_DIR, `${name}.hbs`), 'utf8'), OPTIONS);
    compiled.set(name, template);
  }
  const head = banner(file, origin);
  const text = template({ ...context, banner: head }).replace(/\r\n/g, '\n');
  if (!text.startsWith(head)) throw new Error(`bnnc internal error: template ${name} does not start with {{{banner}}}`);
  return text;
}

/** Renders a partial such as "c/calls/dense_b1" with a context, trimmed to one line. */
export function renderPartial(name: string, context: object): string {
  const partial = environment().partials[name];
  if (!partial) throw new Error(`bnnc internal error: no template partial ${name}`);
  const fn = typeof partial === 'string' ? environment().compile(partial, OPTIONS) : partial;
  return fn(context).trim();
}

const runtimeTexts = new Map<string, string>();

/**
 * runtime/<name> as the generated file of the same name for `origin`: bnnc's
 * banner, then the file's own text (line endings \n). Nothing from the model
 * enters the file but the banner.
 */
export function runtimeFile(name: string, origin: Provenance): string {
  let text = runtimeTexts.get(name);
  if (text === undefined) {
    text = readFileSync(join(RUNTIME_DIR, name), 'utf8').replace(/\r\n/g, '\n');
    runtimeTexts.set(name, text);
  }
  return banner(name, origin) + text;
}
