// Staff passwords: argon2id with the library's current defaults (OWASP's minimum: 19 MiB, 2
// passes), verified in constant time by the library.
import { hash, verify, type Algorithm } from '@node-rs/argon2';

/** Algorithm.Argon2id: a const enum, so spelled as its value under verbatimModuleSyntax. */
const ARGON2ID = 2 as Algorithm;

export const MIN_PASSWORD_LENGTH = 12;

export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID });
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password);
}

/** A fresh hash to verify against when the account does not exist, so timing does not tell. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword('decoy password that matches no account');
  return decoy;
}
