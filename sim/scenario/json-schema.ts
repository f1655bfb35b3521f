/**
 * The scenario format as JSON Schema (draft 2020-12), generated from the zod schema (schema.ts) so the two cannot
 * drift: `paratox schema > scenario.schema.json` gives editors completion and checks for scenario files, and
 * scenarios/scenario.schema.json is the committed copy (a test regenerates and compares it). It describes the
 * input: every field with a default is optional. What JSON Schema cannot say (cross-field contradictions,
 * sections of another protocol, node caps: consistency.ts) only the loader checks.
 */
import { z } from 'zod';
import { scenarioSchema } from './schema.ts';

export function scenarioJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(scenarioSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'throw' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: 'paratox scenario (format version 1)',
    description:
      'One runnable experiment for `paratox run`, in JSON or YAML. Generated from sim/scenario/schema.ts by `paratox schema`; field meanings and limits: scenarios/README.md. Cross-field checks (contradictions, sections of another protocol, node caps) are made by the loader only.',
    ...rest,
  };
}

/** The schema as the committed file holds it: two-space JSON and a final newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
