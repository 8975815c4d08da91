// Piscina worker entry: registers tsx, then exposes the TypeScript task as the default export.
import { register } from 'tsx/esm/api';

register();
const task = await import('./task.ts');
export default task.default;
