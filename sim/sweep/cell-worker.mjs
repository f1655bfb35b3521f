// Piscina worker entry. Worker threads do not inherit the parent's TypeScript loader, so this plain-JS file
// registers tsx in its own thread, then loads the TypeScript task (works under `npx paratox`, `tsx` and vitest).
import { register } from 'tsx/esm/api';

register();
const { runCell } = await import('./run-cell.ts');

export default runCell;
