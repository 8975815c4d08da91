export { Random } from '../../src/util/random.ts';
