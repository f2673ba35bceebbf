import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The package root (works from src/ under vitest and from dist/ when compiled). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const QUERIES_DIR = path.join(PACKAGE_ROOT, 'queries');
export const FIXTURES_DIR = path.join(PACKAGE_ROOT, 'fixtures');
