/**
 * The service key: where it comes from (exactly one source), checked when the
 * configuration is parsed, and turned into a usable key by `resolveKey`, which is async
 * because decrypting a keystore runs scrypt.
 */
import { type Address, parseAddressAnyCase } from '../domain/index.ts';
import { absolutePath, readText } from './files.ts';
import type { SettingsReader } from './reader.ts';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * A secret string that never prints itself (console.log, JSON.stringify, template
 * strings all show "[secret]"), so logging a whole config cannot leak the key. Private
 * fields do not survive structured cloning: pass `reveal()` to a worker, not the Secret.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself; use only where it is consumed. */
  reveal(): string {
    return this.#value;
  }

  /** Redacted form for string conversion. */
  toString(): string {
    return '[secret]';
  }

  /** Redacted form for JSON. */
  toJSON(): string {
    return '[secret]';
  }

  /** Redacted form for util.inspect / console.log. */
  [INSPECT](): string {
    return '[secret]';
  }
}

/** Where the service key comes from, validated but not yet decrypted. */
export type KeySource =
  | {
      readonly kind: 'hex';
      /** The option it came from, e.g. `--private-key` or `--private-key-file /path`. */
      readonly origin: string;
      /** `0x` + 64 lower-case hex digits, a valid secp256k1 secret. */
      readonly privateKey: Secret;
    }
  | {
      readonly kind: 'keystore';
      /** Absolute path of the keystore file. */
      readonly path: string;
      /** The keystore JSON text (encrypted; not secret by itself). */
      readonly json: string;
      /** The keystore password. */
      readonly password: Secret;
    };

/** A usable key: the raw private key and the service address derived from it. */
export type ResolvedKey =
  | { readonly ok: true; readonly privateKey: Secret; readonly address: Address }
  | { readonly ok: false; readonly error: string };

/** Order of the secp256k1 group: a private key must lie in [1, n - 1]. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** The normalised `0x`-hex key, or why the text is not a private key (never echoing it). */
export function parsePrivateKeyHex(text: string): { ok: true; hex: string } | { ok: false; message: string } {
  const trimmed = text.trim();
  const digits = trimmed.startsWith('0x') || trimmed.startsWith('0X') ? trimmed.slice(2) : trimmed;
  if (!/^[0-9a-fA-F]{64}$/.test(digits)) {
    return { ok: false, message: `must be 32 bytes of hex (64 hex digits, 0x prefix optional); got ${digits.length} characters` };
  }
  const value = BigInt('0x' + digits);
  if (value === 0n || value >= SECP256K1_N) return { ok: false, message: 'is not a valid secp256k1 private key (out of range)' };
  return { ok: true, hex: '0x' + digits.toLowerCase() };
}

function isKeystoreJson(text: string): boolean {
  try {
    const data: unknown = JSON.parse(text);
    if (typeof data !== 'object' || data === null) return false;
    const record = data as Record<string, unknown>;
    const crypto = record['crypto'] ?? record['Crypto'];
    return Number(record['version']) === 3 && typeof crypto === 'object' && crypto !== null;
  } catch {
    return false;
  }
}

const KEY_OPTIONS = ['private-key', 'private-key-file', 'keystore-file'] as const;

/** Reads the key options; records every problem; null when there is no usable source. */
export function readKeySource(r: SettingsReader): KeySource | null {
  const given = KEY_OPTIONS.filter((name) => r.given(name));
  const passwordGiven = r.given('password') || r.given('password-file');
  if (r.given('password') && r.given('password-file')) {
    r.errors.push(`${r.label('password')} and ${r.label('password-file')} are exclusive: give one`);
  }
  if (passwordGiven && !r.given('keystore-file')) {
    r.errors.push(`${r.label(r.given('password') ? 'password' : 'password-file')} only applies to --keystore-file`);
  }
  if (given.length === 0) {
    r.errors.push('no private key: give exactly one of --private-key, --private-key-file, --keystore-file (or PFS_PRIVATE_KEY, ...)');
    return null;
  }
  if (given.length > 1) {
    r.errors.push(`several key sources (${given.map((n) => r.label(n)).join(', ')}): give exactly one`);
    return null;
  }
  const which = given[0]!;
  const text = r.text(which) ?? '';
  if (which === 'private-key') {
    const parsed = parsePrivateKeyHex(text);
    if (!parsed.ok) {
      r.fail(which, parsed.message);
      return null;
    }
    if (r.source(which) === 'argv') {
      r.warnings.push('--private-key on the command line is visible to other users of this machine; prefer PFS_PRIVATE_KEY or --private-key-file');
    }
    return { kind: 'hex', origin: r.label(which), privateKey: new Secret(parsed.hex) };
  }
  const path = absolutePath(text, r.deps);
  const read = readText(path, r.deps);
  if (!read.ok) {
    r.fail(which, read.message);
    return null;
  }
  if (which === 'private-key-file') {
    const parsed = parsePrivateKeyHex(read.text);
    if (!parsed.ok) {
      r.fail(which, `the content of ${path} ${parsed.message}`);
      return null;
    }
    return { kind: 'hex', origin: `${r.label(which)} ${path}`, privateKey: new Secret(parsed.hex) };
  }
  if (!isKeystoreJson(read.text)) {
    r.fail(which, `${path} is not an Ethereum JSON keystore (version 3)`);
    return null;
  }
  const password = readPassword(r);
  if (password === null) return null;
  return { kind: 'keystore', path, json: read.text, password };
}

function readPassword(r: SettingsReader): Secret | null {
  const direct = r.text('password');
  if (direct !== null) return r.given('password-file') ? null : new Secret(direct);
  const file = r.text('password-file');
  if (file === null) {
    r.errors.push('--keystore-file needs --password or --password-file (PFS_PASSWORD, PFS_PASSWORD_FILE)');
    return null;
  }
  const path = absolutePath(file, r.deps);
  const read = readText(path, r.deps);
  if (!read.ok) {
    r.fail('password-file', read.message);
    return null;
  }
  // Only line breaks are stripped: other whitespace may be part of the password.
  return new Secret(read.text.replace(/[\r\n]+$/, ''));
}

/**
 * Turns a key source into a usable key. For a keystore this decrypts it (scrypt, can take
 * a second or more); a wrong password is an expected outcome, reported as a value.
 */
export async function resolveKey(source: KeySource): Promise<ResolvedKey> {
  if (source.kind === 'hex') {
    const hex = source.privateKey.reveal();
    const { keyPair } = await import('../protocol/signer.ts');
    return { ok: true, privateKey: new Secret(hex), address: keyPair(Buffer.from(hex.slice(2), 'hex')).address };
  }
  const { Wallet } = await import('ethers');
  try {
    const wallet = await Wallet.fromEncryptedJson(source.json, source.password.reveal());
    const address = parseAddressAnyCase(wallet.address);
    if (address === null) return { ok: false, error: `cannot derive an address from the key of ${describeKeySource(source)}` };
    return { ok: true, privateKey: new Secret(wallet.privateKey.toLowerCase()), address };
  } catch (error) {
    const reason = error instanceof Error ? (error as Error & { shortMessage?: string }).shortMessage ?? error.message : String(error);
    return { ok: false, error: `cannot use the key of ${describeKeySource(source)}: ${reason}` };
  }
}

/** Where a key came from, for messages and logs (never the key itself). */
export function describeKeySource(source: KeySource): string {
  return source.kind === 'hex' ? source.origin : `--keystore-file ${source.path}`;
}
