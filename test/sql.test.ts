import { describe, expect, it } from 'vitest';
import { splitStatements, stripLineComments } from '../src/db/sql.js';

describe('SQL files', () => {
  it('split at a ; that ends a line', () => {
    expect(splitStatements('SELECT 1;\nSELECT 2;\n')).toEqual(['SELECT 1', 'SELECT 2']);
  });
  it('a ; at the end of a comment line splits nothing', () => {
    expect(splitStatements('-- header;\nSELECT 1 -- note;\n  + 1;\n')).toEqual(['SELECT 1 \n  + 1']);
  });
  it("comments inside string literals stay: '--' is data", () => {
    expect(stripLineComments("SELECT '-- not a comment;' AS x -- a comment\n")).toBe("SELECT '-- not a comment;' AS x \n");
  });
  it('a file of comments only has no statements', () => {
    expect(splitStatements('-- name: x\n-- params: none\n')).toEqual([]);
  });
});
