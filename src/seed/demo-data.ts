import { validatePlotGeolocation } from '../modules/plots/geo.js';
import { mulberry32 } from '../platform/prng.js';

/**
 * The demo dataset as a plan: plain data, generated from a fixed seed and fixed dates, no I/O.
 * seed.ts loads it through the modules' services. Same seed → same plan → same database.
 *
 * East Java: the Java Ijen-Raung Arabica GI (Bondowoso, Situbondo, Banyuwangi; 900–1,500 m) and
 * Robusta from Malang (Dampit) and Jember. Three cooperatives, 60 producers.
 */

export const DEMO_SEED = 20271001;

/** Deterministic random helpers over mulberry32. */
export function prng(seed: number) {
  const next = mulberry32(seed);
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
    /** Pick by weight: [[value, weight], …]. */
    weighted: <T>(items: ReadonlyArray<readonly [T, number]>): T => {
      const total = items.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [value, w] of items) {
        r -= w;
        if (r < 0) return value;
      }
      return items[items.length - 1]![0];
    },
  };
}
export type Rng = ReturnType<typeof prng>;

export type Species = 'ARABICA' | 'ROBUSTA';

interface Area {
  regency: string;
  district: string;
  villages: readonly string[];
  /** Centre of the coffee area of the district (WGS84). */
  lat: number;
  lon: number;
  /** Spread around the centre, degrees. */
  spread: number;
  altitude: readonly [number, number];
}

/** Coffee areas; centres are approximate, inside the regency, on the coffee slopes. */
const AREAS = {
  sumberwringin: { regency: 'Bondowoso', district: 'Sumberwringin', villages: ['Sukorejo', 'Sumberwringin', 'Rejoagung', 'Tegaljati'], lat: -7.9650, lon: 113.9920, spread: 0.025, altitude: [950, 1250] },
  ijen: { regency: 'Bondowoso', district: 'Ijen', villages: ['Sempol', 'Kalisat', 'Kalianyar', 'Jampit'], lat: -7.9980, lon: 114.1380, spread: 0.030, altitude: [1100, 1500] },
  sumbermalang: { regency: 'Situbondo', district: 'Sumbermalang', villages: ['Baderan', 'Tlogosari', 'Alastengah'], lat: -7.9080, lon: 114.0050, spread: 0.020, altitude: [900, 1300] },
  arjasa: { regency: 'Situbondo', district: 'Arjasa', villages: ['Kayumas'], lat: -7.8760, lon: 114.1270, spread: 0.015, altitude: [950, 1350] },
  licin: { regency: 'Banyuwangi', district: 'Licin', villages: ['Tamansari', 'Banjar', 'Segobang'], lat: -8.1250, lon: 114.2580, spread: 0.020, altitude: [900, 1400] },
  songgon: { regency: 'Banyuwangi', district: 'Songgon', villages: ['Sumberarum', 'Bayu'], lat: -8.2150, lon: 114.1750, spread: 0.020, altitude: [900, 1250] },
  dampit: { regency: 'Malang', district: 'Dampit', villages: ['Srimulyo', 'Sukodono', 'Baturetno'], lat: -8.2120, lon: 112.7490, spread: 0.020, altitude: [450, 800] },
  tirtoyudo: { regency: 'Malang', district: 'Tirtoyudo', villages: ['Tamansatrian', 'Kepatihan'], lat: -8.2550, lon: 112.8250, spread: 0.020, altitude: [400, 750] },
  sumberjambe: { regency: 'Jember', district: 'Sumberjambe', villages: ['Rowosari', 'Sumberpakem'], lat: -8.0550, lon: 113.9000, spread: 0.015, altitude: [500, 850] },
  silo: { regency: 'Jember', district: 'Silo', villages: ['Sidomulyo', 'Garahan'], lat: -8.2300, lon: 113.8650, spread: 0.015, altitude: [450, 800] },
} as const satisfies Record<string, Area>;
type AreaKey = keyof typeof AREAS;

export interface PlannedCooperative { name: string; regency: string; storage: string }
export interface PlannedPlot { name: string; areaHa: string; altitudeM: number; geolocation: unknown }
export interface PlannedProducer {
  key: string;
  cooperative: number;
  displayName: string;
  kind: 'SMALLHOLDER' | 'UMKM';
  village: string;
  district: string;
  regency: string;
  phone: string;
  brand: Species;
  membership: 'APPROVED' | 'APPLIED' | 'SUSPENDED';
  /** The demo producer login. */
  login: boolean;
  plots: PlannedPlot[];
}
export interface PlannedAssessment {
  sampleG: number;
  defectCounts: Array<{ defect: string; count: number }>;
  moisturePct: string;
  foreignMatterPct: string;
  liveInsects: boolean;
  foulOdour: boolean;
  cuppingScore: string | null;
}
export interface PlannedLot {
  producer: string;
  /** Indexes into the producer's plots. */
  plots: number[];
  harvestStart: string;
  harvestEnd: string;
  netG: number;
  storageLocation: string;
  assessment: PlannedAssessment | null;
}
export interface PlannedCommitment { producer: string; minGrade: string; weightG: number; windowStart: string; windowEnd: string }
export interface DemoPlan {
  cooperatives: PlannedCooperative[];
  producers: PlannedProducer[];
  lots: PlannedLot[];
  commitments: PlannedCommitment[];
}

export const COOPERATIVES: PlannedCooperative[] = [
  { name: 'Koperasi Produsen Kopi Ijen Lestari', regency: 'Bondowoso', storage: 'Gudang Koperasi Ijen Lestari, Sumberwringin' },
  { name: 'Koperasi Tani Kopi Raung Makmur', regency: 'Banyuwangi', storage: 'Gudang Koperasi Raung Makmur, Licin' },
  { name: 'Koperasi Kopi Rakyat Dampit Sejahtera', regency: 'Malang', storage: 'Gudang Koperasi Dampit Sejahtera, Dampit' },
];

/** Producers per cooperative and area: [cooperative, area, count]. 60 in all. */
const ROSTER: ReadonlyArray<readonly [number, AreaKey, number]> = [
  [0, 'sumberwringin', 9], [0, 'ijen', 8], [0, 'sumbermalang', 5], [0, 'arjasa', 2],
  [1, 'licin', 7], [1, 'songgon', 5], [1, 'sumbermalang', 4],
  [2, 'dampit', 7], [2, 'tirtoyudo', 6], [2, 'sumberjambe', 4], [2, 'silo', 3],
];

const FIRST = ['Ahmad', 'Moh.', 'Abdul', 'Suparman', 'Sumarno', 'Hasan', 'Buhari', 'Misnadin', 'Suhairi', 'Joko', 'Bambang', 'Slamet',
  'Sugeng', 'Agus', 'Hariyanto', 'Imam', 'Syaiful', 'Nur', 'Siti', 'Sri', 'Yuliana', 'Endang', 'Rini', 'Suwarni', 'Tutik', 'Halimah',
  'Fatimah', 'Kusnadi', 'Wahyudi', 'Eko', 'Samsul', 'Rasyid', 'Mulyadi', 'Haryono', 'Umar', 'Holil'] as const;
const LAST = ['Hidayat', 'Santoso', 'Wibowo', 'Rahman', 'Basri', 'Saleh', 'Fauzi', 'Prasetyo', 'Hartono', 'Susanto', 'Rahayu', 'Lestari',
  'Kurniawan', 'Setiawan', 'Maulana', 'Arifin', 'Hasanah', 'Suryadi', 'Efendi', 'Purnomo', 'Syamsudin', 'Hakim', 'Zainal', 'Utomo',
  'Nugroho', 'Wahyuni'] as const;
const UMKM = ['UD Kopi Sumberwringin Jaya', 'Kelompok Tani Kayumas Sari', 'CV Baderan Arabika Nusantara', 'UD Tirtoyudo Robusta Makmur'] as const;

/** A coordinate with 7 decimals whose last digit is not 0 (so ≥ 6 decimals survive JSON parsing). */
function coord(value: number): number {
  let n = Math.round(value * 1e7);
  if (n % 10 === 0) n += 3;
  return n / 1e7;
}

/** A slightly irregular quadrilateral of about `ha` hectares around a centre (closed, counter-clockwise). */
function polygonAround(lat: number, lon: number, ha: number, rng: Rng): unknown {
  const side = Math.sqrt(ha * 10_000);
  const dLat = side / 2 / 110_574;
  const dLon = side / 2 / (111_320 * Math.cos((lat * Math.PI) / 180));
  const j = () => 0.9 + rng.next() * 0.2;
  const ring = [
    [lon - dLon * j(), lat - dLat * j()],
    [lon + dLon * j(), lat - dLat * j()],
    [lon + dLon * j(), lat + dLat * j()],
    [lon - dLon * j(), lat + dLat * j()],
  ].map(([x, y]) => [coord(x!), coord(y!)]);
  return { type: 'Polygon', coordinates: [[...ring, ring[0]]] };
}

const iso = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (date: string, days: number) => iso(new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000));
const decimal1 = (value: number) => value.toFixed(1);

/** SNI defect values in twentieths, for composing raw counts that land near a target defect value. */
const DEFECT_TWENTIETHS: ReadonlyArray<readonly [string, number, number]> = [
  // [defect, twentieths per piece, how often it is picked]
  ['BLACK_BEAN', 20, 3], ['PARTIAL_BLACK', 10, 4], ['BROKEN_BLACK', 10, 2], ['BROWN_BEAN', 5, 3], ['BROKEN_BEAN', 4, 6],
  ['IMMATURE_BEAN', 4, 5], ['INSECT_HOLE_ONE', 2, 5], ['INSECT_HOLE_MANY', 4, 2], ['SPOTTED_BEAN', 2, 4], ['HUSK_SMALL', 4, 2],
  ['PARCHMENT_SMALL', 2, 2], ['DRIED_CHERRY', 20, 1], ['STICK_STONE_SMALL', 20, 1],
];

/** Raw defect counts (300 g sample) whose SNI value is close to `target`. */
function countsNear(target: number, rng: Rng): Array<{ defect: string; count: number }> {
  const counts = new Map<string, number>();
  let twentieths = 0;
  const goal = Math.round(target * 20);
  const choices = DEFECT_TWENTIETHS.map(([d, v, w]) => [[d, v] as const, w] as const);
  while (twentieths < goal) {
    const [defect, value] = rng.weighted(choices);
    if (twentieths + value > goal + 10) continue;
    counts.set(defect, (counts.get(defect) ?? 0) + 1);
    twentieths += value;
  }
  return DEFECT_TWENTIETHS.filter(([d]) => counts.has(d)).map(([d]) => ({ defect: d, count: counts.get(d)! }));
}

type Tier = 'SPECIALTY' | 'FINE' | 'GOOD' | 'FAIR' | 'LOW' | 'POOR' | 'OFF';
/** Defect value range per quality tier (SNI grade 1 ≤ 11, 2 ≤ 25, 3 ≤ 44, 4 ≤ 80, 5 ≤ 150). */
const TIER_DEFECTS: Record<Exclude<Tier, 'OFF'>, readonly [number, number]> = {
  SPECIALTY: [1, 4.5], FINE: [6, 10.5], GOOD: [13, 24], FAIR: [27, 43], LOW: [46, 78], POOR: [85, 140],
};

function assessmentFor(species: Species, rng: Rng): PlannedAssessment {
  const tier: Tier =
    species === 'ARABICA'
      ? rng.weighted<Tier>([['SPECIALTY', 14], ['FINE', 22], ['GOOD', 26], ['FAIR', 18], ['LOW', 9], ['POOR', 3], ['OFF', 8]])
      : rng.weighted<Tier>([['FINE', 8], ['GOOD', 20], ['FAIR', 30], ['LOW', 25], ['POOR', 9], ['OFF', 8]]);
  const base = { sampleG: 300, liveInsects: false, foulOdour: false };
  if (tier === 'OFF') {
    // Off-grade: fails an SNI general requirement, or carries more than 225 defect value.
    const why = rng.pick(['MOISTURE', 'FOREIGN', 'DEFECTS', 'MOULD'] as const);
    return {
      ...base,
      defectCounts: countsNear(why === 'DEFECTS' ? rng.int(235, 290) : rng.int(20, 60), rng),
      moisturePct: why === 'MOISTURE' ? decimal1(12.8 + rng.int(0, 14) / 10) : decimal1(11 + rng.int(0, 12) / 10),
      foreignMatterPct: why === 'FOREIGN' ? decimal1(0.7 + rng.int(0, 5) / 10) : decimal1(0.1 + rng.int(0, 3) / 10),
      foulOdour: why === 'MOULD',
      cuppingScore: null,
    };
  }
  const [lo, hi] = TIER_DEFECTS[tier];
  const cupped = species === 'ARABICA' && (tier === 'SPECIALTY' || rng.chance(0.4));
  return {
    ...base,
    defectCounts: countsNear(lo + rng.next() * (hi - lo), rng),
    moisturePct: tier === 'SPECIALTY' ? decimal1(10.5 + rng.int(0, 13) / 10) : decimal1(10.8 + rng.int(0, 16) / 10),
    foreignMatterPct: decimal1(rng.int(0, 4) / 10),
    // GI Java Ijen-Raung cups at 80.27–84.88; lower tiers cup a little below.
    cuppingScore: cupped ? (tier === 'SPECIALTY' ? 80.27 + rng.int(0, 461) / 100 : 78 + rng.int(0, 450) / 100).toFixed(2) : null,
  };
}

/** The whole demo plan. Pure and deterministic. */
export function planDemo(seed = DEMO_SEED): DemoPlan {
  const rng = prng(seed);
  const names = new Set<string>();
  const producers: PlannedProducer[] = [];
  let umkm = 0;
  for (const [cooperative, areaKey, count] of ROSTER) {
    const area: Area = AREAS[areaKey];
    const species: Species = cooperative === 2 ? 'ROBUSTA' : 'ARABICA';
    for (let i = 0; i < count; i++) {
      const n = producers.length;
      const isUmkm = n % 15 === 7 && umkm < UMKM.length;
      let displayName = isUmkm ? UMKM[umkm++]! : '';
      while (!displayName || names.has(displayName)) displayName = `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
      names.add(displayName);
      const village = rng.pick(area.villages);
      const plotCount = isUmkm ? rng.int(2, 3) : rng.weighted([[1, 5], [2, 4], [3, 1]] as const);
      const plots: PlannedPlot[] = [];
      for (let p = 0; p < plotCount; p++) {
        const lat = area.lat + (rng.next() - 0.5) * 2 * area.spread;
        const lon = area.lon + (rng.next() - 0.5) * 2 * area.spread;
        const altitudeM = rng.int(area.altitude[0], area.altitude[1]);
        // About one plot in nine is a larger estate block over 4 ha: EUDR wants its polygon.
        const large = rng.chance(0.11) || (n === 3 && p === 0);
        let areaHa: string;
        let geolocation: unknown;
        if (large) {
          geolocation = polygonAround(lat, lon, 4.3 + rng.int(0, 24) / 10, rng);
          const checked = validatePlotGeolocation(geolocation, null);
          if (!checked.ok || checked.computedAreaHa === null) throw new Error(`demo polygon invalid: ${JSON.stringify(checked)}`);
          areaHa = checked.computedAreaHa;
        } else {
          geolocation = { type: 'Point', coordinates: [coord(lon), coord(lat)] };
          areaHa = (rng.int(30, 350) / 100).toFixed(2);
        }
        plots.push({ name: `Kebun ${village} ${p + 1}`, areaHa, altitudeM, geolocation });
      }
      producers.push({
        key: `p${n + 1}`,
        cooperative,
        displayName,
        kind: isUmkm ? 'UMKM' : 'SMALLHOLDER',
        village,
        district: area.district,
        regency: area.regency,
        phone: `+62 8${rng.int(11, 59)} ${rng.int(1000, 9999)} ${rng.int(1000, 9999)}`,
        brand: species,
        membership: 'APPROVED',
        login: false,
        plots,
      });
    }
  }
  // Membership states: two Arabica applications pending, one suspended member, one Robusta application.
  producers[0]!.login = true;
  producers[5]!.membership = 'SUSPENDED';
  producers[26]!.membership = 'APPLIED';
  producers[33]!.membership = 'APPLIED';
  producers[50]!.membership = 'APPLIED';

  const lots: PlannedLot[] = [];
  const commitments: PlannedCommitment[] = [];
  for (const p of producers) {
    if (p.membership === 'APPLIED') continue; // only approved members declare lots and commit
    const storage = COOPERATIVES[p.cooperative]!.storage;
    const lotCount = rng.int(2, 4);
    for (let l = 0; l < lotCount; l++) {
      // 2026 harvest: Arabica May–September, Robusta June–September.
      const harvestStart = addDays(p.brand === 'ARABICA' ? '2026-05-04' : '2026-06-01', rng.int(0, 100));
      const bags = p.brand === 'ARABICA' ? rng.int(4, 24) : rng.int(8, 40);
      const netG = bags * 60_000 + (rng.chance(0.25) ? rng.int(1, 59) * 1000 + rng.pick([0, 500]) : 0);
      const plotIdx = p.plots.map((_, i) => i).filter((i) => i === 0 || rng.chance(0.5));
      lots.push({
        producer: p.key,
        plots: plotIdx,
        harvestStart,
        harvestEnd: addDays(harvestStart, rng.int(14, 42)),
        netG,
        storageLocation: rng.chance(0.8) ? storage : `Rumah produksi ${p.displayName}, ${p.village}`,
        assessment: rng.chance(0.88) ? assessmentFor(p.brand, rng) : null,
      });
    }
    if (p.membership !== 'APPROVED') continue; // the suspended member made no commitments
    const commitmentCount = rng.weighted([[1, 6], [2, 4]] as const);
    for (let c = 0; c < commitmentCount; c++) {
      const [windowStart, windowEnd] =
        p.brand === 'ARABICA'
          ? rng.weighted<readonly [string, string]>([
              [['2027-05-01', '2027-09-30'], 50], [['2027-06-01', '2027-08-31'], 25],
              [['2027-07-15', '2027-10-31'], 15], [['2027-10-01', '2027-12-15'], 10],
            ])
          : rng.weighted<readonly [string, string]>([[['2027-06-01', '2027-10-31'], 70], [['2027-08-01', '2027-11-30'], 30]]);
      commitments.push({
        producer: p.key,
        minGrade:
          p.brand === 'ARABICA'
            ? rng.weighted([['3', 50], ['2', 25], ['1', 10], ['4', 15]] as const)
            : rng.weighted([['4a', 40], ['3', 30], ['4b', 30]] as const),
        weightG: rng.int(p.brand === 'ARABICA' ? 8 : 15, p.brand === 'ARABICA' ? 40 : 60) * 60_000,
        windowStart,
        windowEnd,
      });
    }
  }
  return { cooperatives: COOPERATIVES, producers, lots, commitments };
}
