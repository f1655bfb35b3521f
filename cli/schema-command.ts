/** `paratox schema`: prints the scenario format as JSON Schema (draft 2020-12), e.g. `paratox schema > scenario.schema.json`. */
import { scenarioJsonSchemaText } from '../sim/scenario/json-schema.ts';

export function schemaCommand(write: (text: string) => void = (t) => void process.stdout.write(t)): void {
  write(scenarioJsonSchemaText());
}
