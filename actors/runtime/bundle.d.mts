/** The bundled entry points, relative to the package root. */
export declare const BUNDLE_ENTRIES: readonly string[];
/** Builds or finds the bundles once per process; true when they are available. */
export declare function prepareBundles(): Promise<boolean>;
/** The prebuilt module of a TypeScript entry (a file URL), or null: start it under tsx. */
export declare function bundledEntry(entry: URL): URL | null;
