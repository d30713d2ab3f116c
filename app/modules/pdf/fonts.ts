// The fonts every Quire PDF embeds: DejaVu from the dejavu-fonts-ttf package, so `npm ci` alone brings
// them. Never the 14 standard PDF fonts: pdfkit references those without embedding them (stack.md
// pitfall 6), so a copy would depend on the reader's fonts and could not claim PDF/A.
import fs from "node:fs";
import { createRequire } from "node:module";

import type * as fontkit from "fontkit";
import type { Font } from "fontkit";

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

const parsed = new Map<FontName, Font>();

/**
 * The parsed font, once per process. Parsing DejaVu's layout tables (kerning, ligatures) costs far
 * more than laying out a 20-page SOP, and pdfkit (0.20) takes a parsed fontkit font as a font source;
 * each document still makes its own subset of the glyphs it uses.
 */
function parsedFont(name: FontName): Font {
  let font = parsed.get(name);
  if (!font) {
    // fontkit's CommonJS build, required at the first PDF rather than at every process start.
    const { create } = require("fontkit") as typeof fontkit;
    font = create(fs.readFileSync(fontPath(name))) as Font;
    parsed.set(name, font);
  }
  return font;
}

/** Registers every font under its name (`doc.font("bold")`); fonts are subset and embedded when used. */
export function registerFonts(doc: PDFKit.PDFDocument): void {
  // @types/pdfkit 0.17 does not list a parsed font among the sources pdfkit 0.20 accepts.
  for (const name of Object.keys(FONT_FILES) as FontName[]) doc.registerFont(name, parsedFont(name) as unknown as Buffer);
}
