// Generates the TypeScript side of the WASM contract (src/generated/contract.ts) during the asc compile:
// - enum codes and constants from assembly/contract.ts (every enum member and constant needs an explicit
//   literal value: the codes are an ABI);
// - config block layouts from the compiler's own resolution of the @unmanaged classes there (offsets,
//   sizes), so the TS writer and the `changetype<Block>(ptr)` reader cannot disagree;
// - the type of every export, from asc's TypeScript bindings (--bindings raw).
import { CommonFlags, NodeKind } from 'assemblyscript';

const CONTRACT = 'assembly/contract';

/** Field types a config block may hold, by the compiler's type name (usize: wasm32 pointers). */
const FIELD_TYPES = new Set(['i32', 'u32', 'f32', 'f64', 'usize']);

/**
 * An asc transform class: after the compile, `done(render)` receives a function that renders the generated
 * module given asc's bindings declaration text.
 */
export function contractTransform(done) {
  return class ContractTransform {
    afterCompile() {
      const contract = readContract(this.program);
      done((bindings) => renderModule(contract, bindings));
    }
  };
}

function readContract(program) {
  const source = program.sources.find((s) => s.internalPath === CONTRACT);
  if (!source) throw new Error(`contract: ${CONTRACT}.ts is not part of the module (import it from assembly/index.ts)`);
  const items = [];
  for (const s of source.statements) {
    if (s.kind === NodeKind.EnumDeclaration) items.push(readEnum(source, s));
    else if (s.kind === NodeKind.ClassDeclaration) items.push(readBlock(program, source, s));
    else if (s.kind === NodeKind.Variable) for (const d of s.declarations) items.push(readConstant(source, s, d));
    else throw new Error(`contract: ${CONTRACT}.ts may declare only enums, constants and @unmanaged classes (${where(source, s)})`);
  }
  return items;
}

function readEnum(source, decl) {
  const values = decl.values.map((v) => ({ name: v.name.text, value: literal(source, v), doc: docOf(source, v) }));
  return { kind: 'enum', name: decl.name.text, doc: docOf(source, decl), values };
}

function readConstant(source, statement, decl) {
  if (!(decl.flags & CommonFlags.Const) || !(decl.flags & CommonFlags.Export)) {
    throw new Error(`contract: ${decl.name.text} must be an exported const (${where(source, decl)})`);
  }
  return { kind: 'const', name: decl.name.text, value: literal(source, decl), doc: docOf(source, statement) };
}

function readBlock(program, source, decl) {
  const name = decl.name.text;
  if (!decl.decorators?.some((d) => d.name.text === 'unmanaged')) {
    throw new Error(`contract: class ${name} must be @unmanaged (a config block) (${where(source, decl)})`);
  }
  const cls = program.instancesByName.get(`${CONTRACT}/${name}`);
  if (!cls) throw new Error(`contract: ${name} is never read by the module, so the compiler laid out no block to describe`);
  const docs = new Map(decl.members.map((m) => [m.name.text, docOf(source, m)]));
  const fields = [];
  for (const field of cls.members.keys()) {
    const member = program.instancesByName.get(`${CONTRACT}/${name}#${field}`); // the resolved property
    if (member?.memoryOffset === undefined || member.memoryOffset < 0) continue; // methods, accessors
    const type = member.type.isReference ? 'usize' : member.type.toString();
    if (!FIELD_TYPES.has(type) || member.type.byteSize > 8) throw new Error(`contract: ${name}.${field} has unsupported type ${type}`);
    fields.push({ name: field, offset: member.memoryOffset, type, doc: docs.get(field) });
  }
  return { kind: 'block', name, doc: docOf(source, decl), bytes: cls.nextMemoryOffset, fields };
}

/** The value of a declaration's literal initializer (its source text, so no compiler value encoding is involved). */
function literal(source, decl) {
  const text = decl.initializer?.range.toString().trim();
  const value = text === undefined ? NaN : Number(text);
  if (!Number.isFinite(value)) throw new Error(`contract: ${decl.name.text} needs an explicit literal value (${where(source, decl)})`);
  return value;
}

/** The /** ... *\/ comment right before a declaration (or its decorators), as lines. */
function docOf(source, node) {
  const start = Math.min(node.range.start, ...(node.decorators ?? []).map((d) => d.range.start));
  const before = source.text.slice(0, start).trimEnd();
  if (!before.endsWith('*/')) return [];
  const open = before.lastIndexOf('/**');
  if (open < 0) return [];
  return before
    .slice(open + 3, -2)
    .split('\n')
    .map((l) => l.replace(/^\s*\*?\s?/, '').trimEnd())
    .filter((l, i, all) => l !== '' || (i > 0 && i < all.length - 1));
}

function where(source, node) {
  const line = source.text.slice(0, node.range.start).split('\n').length;
  return `${source.normalizedPath}:${line}`;
}

function jsdoc(lines, indent) {
  if (!lines.length) return '';
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

function renderModule(contract, bindings) {
  const out = [
    `// Generated by scripts/build-wasm.mjs from assembly/contract.ts and asc's bindings: do not edit.`,
    "// Block layouts are the compiler's; see scripts/contract.mjs.",
    '',
  ];
  for (const item of contract) {
    out.push(jsdoc(item.doc, '').trimEnd());
    if (item.kind === 'const') out.push(`export const ${item.name} = ${item.value};`);
    if (item.kind === 'enum') {
      out.push(`export const ${item.name} = {`);
      for (const v of item.values) out.push(`${jsdoc(v.doc, '  ')}  ${v.name}: ${v.value},`);
      out.push('} as const;', `export type ${item.name} = (typeof ${item.name})[keyof typeof ${item.name}];`);
    }
    if (item.kind === 'block') {
      out.push(`export const ${item.name} = {`, `  bytes: ${item.bytes},`, '  fields: {');
      for (const f of item.fields) out.push(`${jsdoc(f.doc, '    ')}    ${f.name}: { offset: ${f.offset}, type: '${f.type}' },`);
      out.push('  },', '} as const;');
    }
    out.push('');
  }
  out.push(...renderExports(bindings));
  return `${out
    .filter((l, i) => l !== '' || out[i - 1] !== '')
    .join('\n')
    .trimEnd()}\n`;
}

/** asc's declaration of the module's exports, as the type CoreExports (its `instantiate` helper dropped). */
function renderExports(bindings) {
  const start = bindings.indexOf('declare namespace __AdaptedExports {');
  const end = bindings.indexOf('\n}\n', start);
  if (start < 0 || end < 0) throw new Error('contract: unexpected asc bindings output (no __AdaptedExports namespace)');
  return [
    '/** The functions and memory the WASM module exports, with the parameter names and types asc declares for them. */',
    bindings.slice(start, end + 2).replace('__AdaptedExports', 'WasmExports'),
    'export type CoreExports = typeof WasmExports;',
  ];
}
