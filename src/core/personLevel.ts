import { chmodSync, existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Outputs of a run folder that hold data about people (a person, start or offence id, or a
 * rejected row's values). They are written readable by their owner only (mode 0600) whatever the
 * umask, listed under `person_level` in manifest.json, and never placed inside the folders that
 * may be published (statements/, charts/, pack/). Everything else a run writes holds no person
 * or start id (test/faults-privacy.test.ts scans for every id of the inputs).
 *
 * volumes.csv (every start that counted for fee for service, written by the statements stage) is
 * listed here until that stage exports its own list.
 */
export const PERSON_LEVEL_OUTPUTS = ['offender_outcomes.parquet', 'offender_offences.parquet', 'validation.json', 'volumes.csv'] as const;

/** File mode of person-level files and cache files: read and write by the owner only. */
export const OWNER_ONLY_FILE = 0o600;
/** Folder mode of the run cache and its entries: the owner only. */
export const OWNER_ONLY_DIR = 0o700;

/** Make a file readable by its owner only (chmod is exact: the umask plays no part). */
export function ownerOnly(file: string): void {
  chmodSync(file, OWNER_ONLY_FILE);
}

/** The person-level outputs present in a run folder, each made owner-only; returns their names. */
export function protectPersonLevel(dir: string): string[] {
  const present = PERSON_LEVEL_OUTPUTS.filter((f) => existsSync(path.join(dir, f)));
  for (const f of present) ownerOnly(path.join(dir, f));
  return present;
}
