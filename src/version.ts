import manifest from '../package.json' with { type: 'json' };

/** This service's version (package.json), reported by /info. */
export const SERVICE_VERSION: string = manifest.version;

/** Version of the Raiden contracts this service speaks to (the ABIs and layouts of spec §6-§7). */
export const CONTRACTS_VERSION = '0.50.2';
