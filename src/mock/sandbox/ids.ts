import { randomUUID } from 'node:crypto';

/**
 * ID allocation with the magnitudes the live service uses (reference section 6), so that every client talking to the
 * sandbox meets IDs a `JSON.parse` would corrupt. BigInt arithmetic keeps them exact; they leave as digit strings.
 */

/** Private product IDs live in [2^53, 2^54), where doubles are 2 apart: odd IDs do not survive a double. */
const FIRST_PRODUCT_ID = 2n ** 53n + 12_610_843n; // 9007199267351835, the docs' own corrupted example (odd)

/** Submission, shipping label and shared product IDs are 2^60 plus one service-wide counter. */
const FIRST_SEQUENCE_ID = 2n ** 60n + 14_594_954n; // 1152921504621441930, as in the docs

export class IdAllocator {
  #nextProduct = FIRST_PRODUCT_ID;
  #nextSequence = FIRST_SEQUENCE_ID;

  /** Consecutive values, so odd and even product IDs alternate. */
  productId(): string {
    return String(this.#nextProduct++);
  }

  /** One counter for submissions, shipping labels and shared products, so no two resources share an ID. */
  sequenceId(): string {
    return String(this.#nextSequence++);
  }
}

/** Blob names, preprod package and asset IDs, correlation IDs: GUID strings, never all digits. */
export function newGuid(): string {
  return randomUUID();
}
