/** A stored instant (ISO, UTC) as pages print it: "YYYY-MM-DD HH:MM". */
export function utcMinute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** The same, saying its time zone: "YYYY-MM-DD HH:MM UTC". */
export function utcMinuteLabel(iso: string): string {
  return `${utcMinute(iso)} UTC`;
}
