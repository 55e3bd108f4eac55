import { describe, expect, it } from 'vitest';
import { reportCsv, totalsOf } from '../../src/modules/shu/shu.service.js';

describe('reportCsv', () => {
  it('quotes commas and quotes, and never lets a name start a spreadsheet formula', () => {
    // given a year whose members have awkward names
    const members = [
      { id: 1, year_id: 9, producer_id: 3, display_name: '=HYPERLINK("http://x","y")', transactions_idr_minor: 150, capital_idr_minor: 0, transactions_part_idr_minor: 100, capital_part_idr_minor: 0, total_idr_minor: 100 },
      { id: 2, year_id: 9, producer_id: 4, display_name: 'Siti, "Bu Haji"', transactions_idr_minor: 50, capital_idr_minor: 100, transactions_part_idr_minor: 0, capital_part_idr_minor: 100, total_idr_minor: 100 },
    ];
    const csv = reportCsv({
      year: { id: 9, cooperative_id: 1, fiscal_year: 2025, amount_idr_minor: 1000, split_id: 1, status: 'CLOSED', computed_at: new Date(), computed_by: 1, closed_at: new Date(), closed_by: 1, created_at: new Date() },
      cooperativeName: '+Koperasi Ijen',
      funds: [{ year_id: 9, position: 0, kind: 'RESERVE', name: 'Dana cadangan', bp: 10_000, amount_idr_minor: 1000 }],
      members,
      totals: totalsOf(members),
    });
    // when / then
    const lines = csv.split('\r\n');
    expect(lines[1]).toBe("2025,'+Koperasi Ijen,CLOSED,10.00");
    expect(lines[8]).toBe(`3,"'=HYPERLINK(""http://x"",""y"")",1.50,0.00,1.00,0.00,1.00`);
    expect(lines[9]).toBe('4,"Siti, ""Bu Haji""",0.50,1.00,0.00,1.00,1.00');
    expect(lines[10]).toBe('TOTAL,2 members,2.00,1.00,1.00,1.00,2.00');
    expect(csv.endsWith('\r\n')).toBe(true);
  });
});
