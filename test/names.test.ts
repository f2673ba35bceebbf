import { describe, expect, it } from 'vitest';
import { areaAnchor, contractYearsBase, statementBase } from '../src/core/names.js';

describe('output file names', () => {
  it('ordinary codes and labels stay as they are', () => {
    expect(statementBase('CPA01', '2015Q4')).toBe('CPA01_2015Q4');
    expect(statementBase('CPA01', '2019-05')).toBe('CPA01_2019-05');
    expect(statementBase('CPA01', '2015-02-01/2016-01-31')).toBe('CPA01_2015-02-01_to_2016-01-31');
  });
  it('codes that used to collide get different names', () => {
    expect(statementBase('CPA.01', '2015Q4')).toBe('CPA~2E01_2015Q4');
    expect(statementBase('CPA_01', '2015Q4')).toBe('CPA~5F01_2015Q4');
    expect(statementBase('A/B', 'X')).not.toBe(statementBase('A_to_B', 'X'));
    expect(statementBase('A', 'B_C')).not.toBe(statementBase('A_B', 'C'));
  });
  it('no period label gives the contract-year summary name', () => {
    expect(statementBase('A', 'contract_years')).toBe('A_contract~5Fyears');
    expect(contractYearsBase('A')).toBe('A_contract_years');
  });
  it('non-ASCII and control characters are hex bytes', () => {
    expect(statementBase('Ynys Môn', '2015Q4')).toBe('Ynys~20M~C3~B4n_2015Q4');
    expect(statementBase('A\u0000', 'P')).toBe('A~00_P');
  });
  it('report anchors are distinct per area, and the all-areas one is its own', () => {
    expect(areaAnchor('CPA.01')).not.toBe(areaAnchor('CPA_01'));
    expect(areaAnchor(null)).toBe('area-ALL');
  });
});
