import { WardenError } from '../errors.ts';
import type { KeyWrapper } from './key-wrapper.ts';
import { asEncryptedPayload, asKeyRecordData, decryptPayload, payloadAad } from './payload-cipher.ts';
import { type AuditRecord, KEY_TYPE } from './record.ts';

/**
 * Opens a log's encrypted payloads, records in order: each `audit.key` record brings the data key
 * of the records after it. `open` returns plain data unchanged and throws `audit.decrypt_failed`
 * or `audit.unwrap_failed` rather than ever returning something unauthenticated.
 */
export type LogDecryptor = { open(record: AuditRecord): Promise<unknown> };

export function createLogDecryptor(wrapper: KeyWrapper): LogDecryptor {
  let dataKey: Buffer | undefined;
  // A key that did not unwrap is the reason every payload after it stays closed: say so each time.
  let keyFailure: unknown;
  return {
    async open(record) {
      if (record.type === KEY_TYPE) {
        dataKey = undefined;
        try {
          const wrapped = asKeyRecordData(record.data);
          if (!wrapped) throw new WardenError('audit.decrypt_failed', 'a malformed audit.key record');
          dataKey = await wrapper.unwrap(wrapped, record.session);
          keyFailure = undefined;
        } catch (error) {
          keyFailure = error;
          throw error;
        }
        return record.data;
      }
      const payload = asEncryptedPayload(record.data);
      if (!payload) return record.data;
      if (keyFailure !== undefined) throw keyFailure;
      if (!dataKey) {
        throw new WardenError('audit.decrypt_failed', 'an encrypted payload before any audit.key record', {
          where: `seq ${record.seq}`,
        });
      }
      return decryptPayload(dataKey, payload, payloadAad(record.session, record.seq, record.type));
    },
  };
}
