import type { Command } from "commander";

export function kpiCommand(program: Command): void {
  const kpi = program.command("kpi").description("KPIs as SOP-KP-001 defines them: import figures from trial systems, show a KPI's value and status.");
  kpi
    .command("import")
    .description("Import KPI figures from a CSV file (CTMS, EDC exports): header kpi,period,study,site,value[,numerator,denominator].")
    .argument("<file>", "the CSV file")
    .option("--json", 'print {"status","import"} or {"status":"rejected","problems"}')
    .addHelpText(
      "after",
      "\nEvery row is checked first; a file with any error imports nothing, and each error names the line, column and value." +
        "\nRe-importing the same rows changes nothing (one figure per kpi, period, study and site); a changed figure supersedes" +
        "\nthe old one, which is kept with its import. Every import is audited with the file's SHA-256." +
        "\nExit 0 imported, 1 the file has errors (nothing imported), 2 bad input (no such file, no data folder).",
    )
    .action(async (file: string, raw: unknown) => (await import("./kpi.action")).kpiImport(file, raw));
  kpi
    .command("show")
    .description("A KPI's value, target and status for a month (the last complete month by default).")
    .requiredOption("--id <kpi>", "the KPI's id, e.g. query-resolution-time")
    .option("--period <YYYY-MM>", "the month")
    .option("--study <study>", "one study's figures only")
    .option("--json", 'print {"id","period","value","target","status"} (value and status null for a month without data)')
    .addHelpText("after", "\nExit 0 with the answer (data or not), 2 for an unknown KPI id, study or a bad month.")
    .action(async (raw: unknown) => (await import("./kpi.action")).kpiShow(raw));
}
