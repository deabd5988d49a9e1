// Field-level encryption of health data (AES-256-GCM via @47ng/cloak). Every value carries the
// fingerprint of the key that encrypted it, so old keys keep decrypting after a rotation while
// new values use the current key.
import {
  decryptStringSync,
  encryptStringSync,
  findKeyForMessage,
  makeKeychainSync,
  parseKeySync,
  type CloakKeychain,
  type ParsedCloakKey,
} from '@47ng/cloak';
import { createHmac, hkdfSync } from 'node:crypto';

export class FieldCipher {
  private readonly current: ParsedCloakKey;
  private readonly keychain: CloakKeychain;

  private readonly currentKey: string;
  private readonly derived = new Map<string, Buffer>();

  constructor(currentKey: string, previousKeys: string[] = []) {
    this.currentKey = currentKey;
    this.current = parseKeySync(currentKey);
    this.keychain = makeKeychainSync([currentKey, ...previousKeys]);
  }

  /**
   * A key for one other purpose (HKDF from the current key): the same on every instance, as
   * FIELD_ENCRYPTION_KEY is, and telling nothing about it. Signed check-in links and the lookup
   * hash of encrypted chat addresses use one each.
   */
  derivedKey(purpose: string): Buffer {
    let key = this.derived.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.currentKey, '', `frontdoor:${purpose}`, 32));
      this.derived.set(purpose, key);
    }
    return key;
  }

  /**
   * A keyed hash of `value` to find rows by a field stored encrypted (a blind index): equal
   * values give equal hashes, and without the key nobody can test a guess (chat ids are short).
   */
  lookupHash(purpose: string, value: string): string {
    return createHmac('sha256', this.derivedKey(`lookup:${purpose}`))
      .update(value)
      .digest('base64url');
  }

  encrypt(plain: string): string {
    return encryptStringSync(plain, this.current);
  }

  /** Throws when the value was encrypted with a key that is not configured any more. */
  decrypt(cloaked: string): string {
    return decryptStringSync(cloaked, findKeyForMessage(cloaked, this.keychain));
  }

  encryptJson(value: unknown): string {
    return this.encrypt(JSON.stringify(value));
  }

  decryptJson<T>(cloaked: string): T {
    return JSON.parse(this.decrypt(cloaked)) as T;
  }
}
