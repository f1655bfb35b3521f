/**
 * YAML text -> value for scenario files, as strict as the JSON path (json-text.ts): one-line errors with line and
 * column that never echo the file back, the same nesting limit, non-finite numbers (.inf, .nan, 1e999) named,
 * duplicate keys refused. YAML features a scenario does not need are refused instead of half-supported:
 * tags (!foo, !!binary: they turn text into Buffers or silently into strings), directives (%YAML 1.1 would
 * change what `yes` means), keys that are collections, and more than one document. Anchors and aliases are
 * allowed (a repeated latency spec), bounded by MAX_YAML_ALIAS_COUNT; one that contains itself is refused.
 *
 * Nesting is bounded from the lexer's tokens before the parser runs: the yaml package composes recursively,
 * 500,000 "[" took 6 s and 200,000 "- " ran the process out of memory.
 */
import { CST, isAlias, isCollection, isMap, isPair, isScalar, Lexer, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { lineColumn, nonFinitePath } from './json-text.ts';
import { MAX_NESTING_DEPTH, MAX_YAML_ALIAS_COUNT } from './limits.ts';
import { ScenarioError } from './scenario-error.ts';

/**
 * The token scan's estimate of nesting may overshoot the real depth (up to two collections per indentation
 * level), so it refuses only at this many levels; the exact check on the parsed document enforces MAX_NESTING_DEPTH.
 */
const TOKEN_DEPTH_BOUND = 4 * MAX_NESTING_DEPTH;

const PARSE_OPTIONS = { version: '1.2', schema: 'core', uniqueKeys: true, strict: true, prettyErrors: true, maxAliasCount: MAX_YAML_ALIAS_COUNT } as const;

/** Block indicators that open a collection on the line they sit on ("- - 1", "- a: 1", "? - x"). */
const OPENS_ON_LINE = new Set(['seq-item-ind', 'explicit-key-ind', 'map-value-ind']);

const deepMessage = (source: string, text: string, at: number) =>
  `${source}: nested more than ${MAX_NESTING_DEPTH} levels deep (at ${lineColumn(text, at)}); a scenario needs 4`;

/**
 * One pass over the lexer's tokens (linear, no recursion): refuses tags and directives where they are, and returns
 * the offset at which the nesting estimate passes TOKEN_DEPTH_BOUND, or -1. The estimate per token is
 * 2 x (indentation levels open) + collection indicators earlier on the line + open flow brackets.
 */
function scanTokens(text: string, source: string): number {
  const indents: number[] = [];
  let flow = 0;
  let onLine = 0;
  let lineStart = true;
  let pos = 0;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    // Control tokens the lexer inserts (document start, scalar marker) are not source text.
    const inSource = !(token.length === 1 && token.charCodeAt(0) < 0x20 && token !== '\n' && token !== '\t');
    if (type === 'tag') throw new ScenarioError(`${source}: YAML tags (${token.startsWith('!!') ? '!!type' : '!tag'}) are not supported in a scenario, at ${lineColumn(text, pos)}; write plain values`);
    if (type === 'directive-line' && token.startsWith('%')) {
      throw new ScenarioError(`${source}: YAML directives (%YAML, %TAG) are not supported in a scenario, at ${lineColumn(text, pos)}`);
    }
    if (type === 'newline') {
      lineStart = true;
      onLine = 0;
    } else if (inSource && type !== 'doc-mode') {
      if (lineStart && flow === 0 && type !== 'comment') {
        const indent = type === 'space' ? token.length : 0;
        while (indents.length > 0 && indents[indents.length - 1] > indent) indents.pop();
        if (indents.length === 0 || indents[indents.length - 1] < indent) indents.push(indent);
      }
      if (type !== 'space') lineStart = false;
      if (type === 'flow-map-start' || type === 'flow-seq-start') flow++;
      else if ((type === 'flow-map-end' || type === 'flow-seq-end') && flow > 0) flow--;
      else if (type !== null && OPENS_ON_LINE.has(type)) onLine++;
      if (2 * indents.length + onLine + flow > TOKEN_DEPTH_BOUND) return pos;
    }
    if (inSource) pos += token.length;
  }
  return -1;
}

/** The first error or warning of a parsed document as "reason at line L, column C" (the file is not echoed). */
function describeYamlProblem(text: string, e: { code: string; message: string; pos: [number, number] }): string {
  let reason = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?\s*$/, '').replace(/[.:]\s*$/, '');
  if (e.code === 'RESOURCE_EXHAUSTION') reason = 'nested too deeply or too many aliases';
  if (e.code === 'MULTIPLE_DOCS') reason = 'a scenario file holds one document, this one has more (a "---" line starts another)';
  reason = reason.charAt(0).toLowerCase() + reason.slice(1);
  return `${reason} at ${lineColumn(text, e.pos[0])}`;
}

interface Frame {
  node: YamlNode;
  /** Collections from the root down to and including this node. */
  depth: number;
  /** Leaving the node: its subtree is done. */
  leave?: true;
}

/**
 * Exact structural checks on the parsed document, iteratively (no recursion on input): keys are scalars, no
 * alias refers to a collection it sits in, and nesting (aliases followed) stays within MAX_NESTING_DEPTH. `walked`
 * keeps a shared anchor from being walked again at a depth it already passed.
 */
function checkStructure(doc: Document.Parsed, text: string, source: string): void {
  const at = (n: YamlNode) => lineColumn(text, n.range?.[0] ?? 0);
  const stack: Frame[] = doc.contents === null ? [] : [{ node: doc.contents, depth: 1 }];
  const onPath = new Set<YamlNode>();
  const walked = new Map<YamlNode, number>();
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.leave) {
      onPath.delete(frame.node);
      continue;
    }
    let node = frame.node;
    if (isAlias(node)) {
      const target = node.resolve(doc) as YamlNode | undefined;
      if (target === undefined) throw new ScenarioError(`${source}: invalid YAML: alias *${node.source} names no anchor, at ${at(node)}`);
      if (onPath.has(target)) throw new ScenarioError(`${source}: invalid YAML: alias *${node.source} refers to a collection that contains it, at ${at(node)}`);
      node = target;
    }
    if (!isCollection(node)) continue;
    if (frame.depth > MAX_NESTING_DEPTH) throw new ScenarioError(deepMessage(source, text, node.range?.[0] ?? 0));
    if ((walked.get(node) ?? 0) >= frame.depth) continue;
    walked.set(node, frame.depth);
    onPath.add(node);
    stack.push({ node, depth: frame.depth, leave: true });
    for (const item of node.items as unknown[]) {
      const value = isPair(item) ? item.value : item;
      if (isPair(item) && item.key !== null && !isScalar(item.key)) {
        const key = item.key as YamlNode;
        throw new ScenarioError(`${source}: invalid YAML: a key must be plain text, not a ${isMap(key) ? 'mapping' : isAlias(key) ? 'alias' : 'sequence'}, at ${at(key)}`);
      }
      if (value !== null && typeof value === 'object') stack.push({ node: value as YamlNode, depth: frame.depth + 1 });
    }
  }
}

/** Parses a scenario's YAML text; throws a one-line ScenarioError led by `source`. */
export function parseScenarioYaml(text: string, source: string): unknown {
  const deep = scanTokens(text, source);
  if (deep >= 0) throw new ScenarioError(deepMessage(source, text, deep));
  const doc = parseDocument(text, PARSE_OPTIONS);
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem !== undefined) throw new ScenarioError(`${source}: invalid YAML: ${describeYamlProblem(text, problem)}`);
  checkStructure(doc, text, source);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
  } catch (err) {
    // The yaml package throws ReferenceError on an alias bomb ("Excessive alias count").
    throw new ScenarioError(`${source}: invalid YAML: ${/alias/i.test((err as Error).message) ? `aliases expand too much (more than ${MAX_YAML_ALIAS_COUNT} per anchor)` : 'cannot convert the document'}`);
  }
  const bad = nonFinitePath(value, []);
  if (bad !== undefined) throw new ScenarioError(`${source}: ${bad}: not a finite number (.inf, .nan or larger than 1.8e308)`);
  return value;
}
