// The fonts every Quire PDF embeds: DejaVu from the dejavu-fonts-ttf package, so `npm ci` alone brings
// them. Never the 14 standard PDF fonts: pdfkit references those without embedding them (stack.md
// pitfall 6), so a copy would depend on the reader's fonts and could not claim PDF/A.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export const FONT_FILES = {
  regular: "DejaVuSans.ttf",
  bold: "DejaVuSans-Bold.ttf",
  italic: "DejaVuSans-Oblique.ttf",
  boldItalic: "DejaVuSans-BoldOblique.ttf",
  mono: "DejaVuSansMono.ttf",
} as const;

export type FontName = keyof typeof FONT_FILES;

/** The path of a font file inside node_modules (resolved from this module, so the server and CLI builds find it too). */
export function fontPath(font: FontName): string {
  return require.resolve(`dejavu-fonts-ttf/ttf/${FONT_FILES[font]}`);
}

/** Registers every font under its name (`doc.font("bold")`); fonts are subset and embedded when used. */
export function registerFonts(doc: PDFKit.PDFDocument): void {
  for (const name of Object.keys(FONT_FILES) as FontName[]) doc.registerFont(name, fontPath(name));
}
