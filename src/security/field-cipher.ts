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

export class FieldCipher {
  private readonly current: ParsedCloakKey;
  private readonly keychain: CloakKeychain;

  constructor(currentKey: string, previousKeys: string[] = []) {
    this.current = parseKeySync(currentKey);
    this.keychain = makeKeychainSync([currentKey, ...previousKeys]);
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
