/**
 * The reply templates (templates/<kind>.<lang>.<txt|html>.hbs), compiled once at start-up
 * and proven there: every kind × language × format must exist, parse, and render every
 * sample reply without touching a variable the data lacks. A template that cannot is a
 * deployment error, so `load` throws and start-up stops, naming the file.
 *
 * Handlebars in strict mode: a missing variable throws instead of rendering as nothing.
 * HTML templates escape every value; text templates do not (a text part is never
 * interpreted as markup, and escaping would show '&lt;' to the customer).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import { ClaimIntakeError } from '../../domain/errors.ts';
import type { ReplyLang } from './language.ts';
import { REPLY_KINDS, type ReplyData, type ReplyKind } from './reply-data.ts';
import { SAMPLE_CLAIM_REF, sampleReplies } from './template-samples.ts';

export const DEFAULT_TEMPLATES_DIR = path.resolve(import.meta.dirname, '../../../templates');
export const REPLY_LANGS: readonly ReplyLang[] = ['en', 'zh', 'zh-Hant'];
const FORMATS = ['txt', 'html'] as const;
type Format = (typeof FORMATS)[number];

const COMPILE_OPTIONS: Record<Format, CompileOptions> = {
  txt: { strict: true, noEscape: true },
  html: { strict: true },
};

/** A template that is missing, does not parse, or does not render; names the file. */
export class TemplateError extends ClaimIntakeError {
  readonly file: string;

  constructor(file: string, problem: string, options: { cause?: unknown } = {}) {
    super('template_invalid', `reply template ${file}: ${problem}`, options);
    this.file = file;
  }
}

export interface RenderedReply {
  text: string;
  html: string;
}

interface Compiled {
  file: string;
  render: Handlebars.TemplateDelegate;
}

/** A language's partials per format, by name: `greeting` is greeting.<lang>.<format>.hbs. */
type LangPartials = Record<ReplyLang, Record<Format, Record<string, Handlebars.TemplateDelegate>>>;

export class ReplyTemplates {
  private constructor(
    private readonly compiled: ReadonlyMap<string, Compiled>,
    private readonly partials: LangPartials,
  ) {}

  /** Compiles and checks every template under `dir`; throws TemplateError on the first bad one. */
  static async load(dir: string = DEFAULT_TEMPLATES_DIR): Promise<ReplyTemplates> {
    const envs = { txt: Handlebars.create(), html: Handlebars.create() };
    const partials = await registerPartials(path.join(dir, 'partials'), envs);
    const compiled = new Map<string, Compiled>();
    for (const kind of REPLY_KINDS) {
      for (const lang of REPLY_LANGS) {
        for (const format of FORMATS) {
          const file = path.join(dir, `${kind}.${lang}.${format}.hbs`);
          const render = compile(envs[format], format, file, await readTemplate(file));
          compiled.set(keyOf(kind, lang, format), { file, render });
        }
      }
    }
    const templates = new ReplyTemplates(compiled, partials);
    templates.proveWithSamples();
    return templates;
  }

  /** The text and HTML parts of one reply. `data.kind` must be `kind`. */
  render(kind: ReplyKind, lang: ReplyLang, data: ReplyData): RenderedReply {
    if (data.kind !== kind || data.lang !== lang) {
      throw new ClaimIntakeError(
        'reply_data_invalid',
        `reply data for ${data.kind}/${data.lang} given to template ${kind}/${lang}`,
      );
    }
    return {
      text: this.renderOne(kind, lang, 'txt', data),
      html: this.renderOne(kind, lang, 'html', data),
    };
  }

  private renderOne(kind: ReplyKind, lang: ReplyLang, format: Format, data: unknown): string {
    const template = this.compiled.get(keyOf(kind, lang, format));
    if (!template) throw new TemplateError(`${kind}.${lang}.${format}.hbs`, 'not loaded');
    try {
      return template.render(data, { partials: this.partials[lang][format] });
    } catch (err) {
      throw new TemplateError(template.file, describe(err), { cause: err });
    }
  }

  /**
   * Renders every template against every sample of its kind. The data is wrapped so that
   * reading any absent field throws: strict mode alone lets `{{#if typo}}` pass as false.
   */
  private proveWithSamples(): void {
    for (const lang of REPLY_LANGS) {
      const samples = sampleReplies(lang);
      for (const kind of REPLY_KINDS) {
        const ofKind = samples.filter((s) => s.kind === kind);
        if (ofKind.length === 0) throw new Error(`no sample reply for ${kind}`);
        for (const sample of ofKind) {
          for (const format of FORMATS) {
            const out = this.renderOne(kind, lang, format, guarded(sample, 'data'));
            if (!out.includes(SAMPLE_CLAIM_REF)) {
              const file = this.compiled.get(keyOf(kind, lang, format))!.file;
              throw new TemplateError(file, 'does not show the claim reference {{claimRef}}');
            }
          }
        }
      }
    }
  }
}

function keyOf(kind: ReplyKind, lang: ReplyLang, format: Format): string {
  return `${kind}.${lang}.${format}`;
}

async function readTemplate(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new TemplateError(file, missing ? 'missing template file' : describe(err), {
      cause: err,
    });
  }
}

/**
 * Partials are named like the templates. `partials/<name>.<lang>.<txt|html>.hbs` is the
 * language's `{{> name}}`, handed to a template of that language when it renders, so every
 * language's template calls the same `{{> greeting}}`. `partials/<name>.<txt|html>.hbs`
 * serves every language: it is registered for that format (the HTML frame,
 * `partials/layout.html.hbs`). Each is compiled with its format's options (a text partial
 * must not escape, an HTML one must). A file named otherwise is refused, not skipped: a
 * partial left under an old name would otherwise vanish without a word.
 */
async function registerPartials(
  dir: string,
  envs: Record<Format, typeof Handlebars>,
): Promise<LangPartials> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (err) {
    throw new TemplateError(dir, 'missing partials directory', { cause: err });
  }
  const partials = Object.fromEntries(
    REPLY_LANGS.map((lang) => [lang, { txt: {}, html: {} }]),
  ) as LangPartials;
  for (const name of names) {
    if (!name.endsWith('.hbs')) continue;
    const file = path.join(dir, name);
    const m = /^(\w+)(?:\.([\w-]+))?\.(txt|html)\.hbs$/.exec(name);
    const lang = m?.[2] as ReplyLang | undefined;
    if (!m || (lang !== undefined && !REPLY_LANGS.includes(lang))) {
      throw new TemplateError(
        file,
        `partial names are <name>.<txt|html>.hbs or <name>.<${REPLY_LANGS.join('|')}>.<txt|html>.hbs`,
      );
    }
    const partial = m[1] ?? '';
    const format: Format = m[3] === 'html' ? 'html' : 'txt';
    const compiled = compile(envs[format], format, file, await readTemplate(file));
    if (lang === undefined) envs[format].registerPartial(partial, compiled);
    else partials[lang][format][partial] = compiled;
  }
  return partials;
}

/**
 * Parses eagerly (Handlebars compiles lazily, on first render) so a syntax error names its
 * file even in a branch no sample reaches, and refuses unescaped output in HTML.
 */
function compile(
  env: typeof Handlebars,
  format: Format,
  file: string,
  source: string,
): Handlebars.TemplateDelegate {
  let ast: hbs.AST.Program;
  try {
    ast = env.parse(source);
  } catch (err) {
    throw new TemplateError(file, describe(err), { cause: err });
  }
  if (format === 'html') {
    const raw = findUnescaped(ast);
    if (raw) {
      // {{{x}}} or {{&x}} would put customer text into the HTML as markup (XSS in mail clients).
      throw new TemplateError(file, `unescaped output {{{${raw}}}} is not allowed in HTML`);
    }
  }
  return env.compile(source, COMPILE_OPTIONS[format]);
}

/** The first mustache that does not escape its value, anywhere in the tree. */
function findUnescaped(node: unknown): string | null {
  if (node === null || typeof node !== 'object') return null;
  const n = node as { type?: string; escaped?: boolean; path?: { original?: unknown } };
  if (n.type === 'MustacheStatement' && n.escaped === false) return String(n.path?.original);
  for (const value of Object.values(node)) {
    const children = Array.isArray(value) ? value : [value];
    for (const child of children) {
      const found = findUnescaped(child);
      if (found) return found;
    }
  }
  return null;
}

/**
 * The data, with every read of an absent field throwing. Handlebars' strict mode checks
 * `{{x}}` but not the parameters of `{{#if x}}` or `{{#each x}}`; this checks those too.
 */
function guarded<T>(value: T, where: string): T {
  if (value === null || typeof value !== 'object') return value;
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key === 'string' && !(key in target)) {
        throw new Error(`"${key}" not defined in ${where}`);
      }
      return guarded(Reflect.get(target, key, receiver), `${where}.${String(key)}`);
    },
  });
}

/** Handlebars' messages, made to say what is wrong in the template's terms. */
function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const missing = /^"([^"]+)" not defined in (.*?)(?: - (\d+):(\d+))?$/s.exec(message);
  if (missing) {
    // Handlebars gives no file for a position: it may be in a partial this template includes.
    const at = missing[3]
      ? ` (line ${missing[3]}, column ${Number(missing[4]) + 1}, here or in a partial)`
      : '';
    return `missing variable "${missing[1]}"${at}`;
  }
  if (message.startsWith('Parse error') || / doesn't match /.test(message)) {
    return `parse error: ${message}`;
  }
  return message;
}
