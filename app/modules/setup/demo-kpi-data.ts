// The demo's study KPIs, as a trial system's monthly CSV export would give them (the KPI import reads
// this format): three studies of ten sites each over 24 months, with a story the dashboard shows
// month by month (SOP-KP-001, "Publish the KPI dashboard" and "Act on red KPIs"):
// - protocol adherence is green, but for a dip at one site of QRX-302 in early 2026;
// - enrolment on QRX-410 stalls from August 2026: amber three months running, so red by the rule;
// - sites take some 60 to 120 days from selection to initiation, several beyond the 90-day target;
// - query resolution slips from green to red over the last three months (an EDC migration's
//   backlog), red in September and October 2026, so a CAPA is prompted.
// Deterministic: a seeded PRNG per KPI, study and site (never Math.random), so the same options give
// byte-identical text and a demo data folder can be rebuilt exactly.
import { isPeriod, monthsEnding, type Period } from "~/modules/kpi/kpi";

export const DEMO_KPI_HEADER = "kpi,period,study,site,value,numerator,denominator";

/** The demo's studies and their sites (country code and site number). */
export const DEMO_KPI_STUDIES = [
  { study: "QRX-301", sites: ["US-01", "US-02", "US-03", "CA-04", "GB-05", "GB-06", "DE-07", "FR-08", "ES-09", "DE-10"] },
  { study: "QRX-302", sites: ["US-01", "US-02", "CA-03", "GB-04", "DE-05", "DE-06", "FR-07", "IT-08", "PL-09", "NL-10"] },
  { study: "QRX-410", sites: ["US-01", "US-02", "US-03", "US-04", "GB-05", "DE-06", "FR-07", "ES-08", "IT-09", "DE-10"] },
] as const satisfies readonly { study: string; sites: readonly string[] }[];

export type DemoStudyId = (typeof DEMO_KPI_STUDIES)[number]["study"];

export const DEMO_KPI_IDS = ["protocol-adherence-rate", "enrolment-rate", "site-initiation-time", "query-resolution-time"] as const;

const MONTHS = 24;

/** The month (0 to 23 in the window) each study's first sites were initiated. */
const STUDY_START: Record<DemoStudyId, number> = { "QRX-301": 0, "QRX-302": 3, "QRX-410": 8 };

/** The site whose protocol adherence dips, and the months (window indices) it does. */
const ADHERENCE_DIP = { study: "QRX-302", site: "GB-04", from: 14, to: 16 } as const;

/**
 * QRX-410's recruitment pace against plan in the last three months (window indices 21 to 23: August
 * to October 2026 by default): screening paused in August for a protocol amendment, then resumed slowly.
 */
const ENROLMENT_STALL: Readonly<Record<number, number>> = { 21: 0, 22: 0.75, 23: 0.75 };

/**
 * Company-wide median query resolution time the sites scatter around, by window index: green
 * (15 days or fewer) with one amber month after the 2024-25 holidays, then the EDC migration's
 * backlog: amber in August 2026, red (beyond 20 days) in September and October 2026.
 */
const QUERY_DAYS = [11.5, 12, 12.5, 16.5, 13, 12, 11.5, 11, 11.5, 12, 12, 12.5, 13, 12, 11.5, 11, 11.5, 12, 12.5, 13, 13.5, 17.5, 23, 25.5];

/** mulberry32: a small, well-mixed 32-bit PRNG; uniform numbers in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a: a seed from a name, so each KPI, study and site has its own stream whatever the order of generation. */
function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function rng(...parts: string[]): () => number {
  return mulberry32(seedOf(`quire-demo-kpi|${parts.join("|")}`));
}

/** Uniform in [lo, hi). */
function between(random: () => number, lo: number, hi: number): number {
  return lo + random() * (hi - lo);
}

/** Roughly normal noise with mean 0 and standard deviation `sd` (a sum of three uniforms). */
function noise(random: () => number, sd: number): number {
  return (random() + random() + random() - 1.5) * 2 * sd;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

interface Row {
  kpi: (typeof DEMO_KPI_IDS)[number];
  period: Period;
  study: string;
  site: string;
  value: number;
  numerator?: number;
  denominator?: number;
}

interface Site {
  study: DemoStudyId;
  site: string;
  /** Window index of the month the site was initiated; it reports from that month on. */
  initiated: number;
}

/**
 * The initiation month of each site: three in the study's first month, the other seven spread over
 * the next eleven ("sites initiated over the first 12 months of each study").
 */
function demoSites(): Site[] {
  return DEMO_KPI_STUDIES.flatMap(({ study, sites }) => {
    const random = rng("initiation-month", study);
    return sites.map((site, i) => {
      if (i < 3) return { study, site, initiated: STUDY_START[study] };
      // Months 1 to 11 of the study, evenly spread, each a month early or late by chance.
      const planned = 1 + ((i - 3) * 10) / 6;
      const month = Math.min(11, Math.max(1, Math.round(planned + between(random, -1, 1))));
      return { study, site, initiated: STUDY_START[study] + month };
    });
  });
}

function siteInitiationRows(sites: readonly Site[], periods: readonly Period[]): Row[] {
  return sites.map(({ study, site, initiated }) => {
    const random = rng("site-initiation-time", study, site);
    // Contracts and ethics take longer in some countries; the first study's sites learned as they went.
    const country = site.slice(0, 2);
    const base = { US: 72, CA: 80, GB: 84, DE: 98, FR: 94, ES: 88, IT: 102, PL: 86, NL: 82 }[country] ?? 90;
    const days = Math.round(Math.max(35, base + noise(random, 12)));
    return { kpi: "site-initiation-time", period: periods[initiated]!, study, site, value: days };
  });
}

/** Visits per month and deviations at each site; the adherence dip site has many in its dip months. */
function adherenceRows(sites: readonly Site[], periods: readonly Period[]): Row[] {
  const rows: Row[] = [];
  for (const { study, site, initiated } of sites) {
    const random = rng("protocol-adherence-rate", study, site);
    const deviationRate = between(random, 0.008, 0.03);
    for (let m = initiated; m < MONTHS; m++) {
      const active = m - initiated;
      // Few visits in the first months while participants are screened and enrolled.
      const visits = Math.max(3, Math.round(Math.min(6 + active * 2.5, 28) + noise(random, 3)));
      const dip = study === ADHERENCE_DIP.study && site === ADHERENCE_DIP.site && m >= ADHERENCE_DIP.from && m <= ADHERENCE_DIP.to;
      const rate = dip ? 0.16 : deviationRate;
      let deviations = 0;
      for (let v = 0; v < visits; v++) if (random() < rate) deviations++;
      const adherent = visits - deviations;
      rows.push({
        kpi: "protocol-adherence-rate",
        period: periods[m]!,
        study,
        site,
        value: round1((100 * adherent) / visits),
        numerator: adherent,
        denominator: visits,
      });
    }
  }
  return rows;
}

/**
 * Cumulative participants enrolled against the cumulative plan at each site. The actual count
 * never exceeds the plan (sites stop screening at their allocation), and never goes down.
 */
function enrolmentRows(sites: readonly Site[], periods: readonly Period[]): Row[] {
  const rows: Row[] = [];
  for (const { study, site, initiated } of sites) {
    const random = rng("enrolment-rate", study, site);
    const planPerMonth = round1(between(random, 1.2, 2.6));
    const performance = between(random, 0.93, 1.02);
    let actual = 0;
    for (let m = initiated; m < MONTHS; m++) {
      // The initiation month counts as half a month of recruitment.
      const planned = planPerMonth * (m - initiated + 0.5);
      const stall = study === "QRX-410" ? ENROLMENT_STALL[m] : undefined;
      const pace = stall ?? performance * (1 + noise(random, 0.08));
      actual = Math.min(actual + planPerMonth * pace * (m === initiated ? 0.5 : 1), planned);
      const denominator = Math.max(1, Math.round(planned));
      const numerator = Math.min(Math.round(actual), denominator);
      rows.push({ kpi: "enrolment-rate", period: periods[m]!, study, site, value: round1((100 * numerator) / denominator), numerator, denominator });
    }
  }
  return rows;
}

/** Median days to resolve a query at each site, scattered around the month's company level. */
function queryRows(sites: readonly Site[], periods: readonly Period[]): Row[] {
  const rows: Row[] = [];
  for (const { study, site, initiated } of sites) {
    const random = rng("query-resolution-time", study, site);
    const siteFactor = between(random, 0.88, 1.12);
    for (let m = initiated; m < MONTHS; m++) {
      const days = Math.max(2, QUERY_DAYS[m]! * siteFactor + noise(random, 1.5));
      rows.push({ kpi: "query-resolution-time", period: periods[m]!, study, site, value: round1(days) });
    }
  }
  return rows;
}

function csvLine(row: Row): string {
  return [row.kpi, row.period, row.study, row.site, String(row.value), row.numerator ?? "", row.denominator ?? ""].join(",");
}

/**
 * The demo KPI figures as CSV (header `kpi,period,study,site,value,numerator,denominator`, LF line
 * ends), for the 24 months ending `lastPeriod` (October 2026 unless given): rows by KPI, month,
 * study and site. The same options always give the same text.
 */
export function demoKpiCsv(options: { lastPeriod?: string } = {}): string {
  const lastPeriod = options.lastPeriod ?? "2026-10";
  if (!isPeriod(lastPeriod)) throw new Error(`Demo KPI data: lastPeriod must be a month as YYYY-MM, got "${lastPeriod}".`);
  const periods = monthsEnding(lastPeriod, MONTHS);
  const sites = demoSites();
  const rows = [...adherenceRows(sites, periods), ...enrolmentRows(sites, periods), ...siteInitiationRows(sites, periods), ...queryRows(sites, periods)];
  const kpiOrder = (row: Row) => DEMO_KPI_IDS.indexOf(row.kpi);
  rows.sort((a, b) => kpiOrder(a) - kpiOrder(b) || a.period.localeCompare(b.period) || a.study.localeCompare(b.study) || a.site.localeCompare(b.site));
  return [DEMO_KPI_HEADER, ...rows.map(csvLine)].join("\n") + "\n";
}
