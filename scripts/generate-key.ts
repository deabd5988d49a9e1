// npm run keys:generate — prints a new key for FIELD_ENCRYPTION_KEY. To rotate: set the new
// key as FIELD_ENCRYPTION_KEY and move the old one into FIELD_DECRYPTION_KEYS.
import { generateKey } from '@47ng/cloak';

process.stdout.write(`${generateKey()}\n`);
