// fontkit (pdfkit's font parser, a dependency of pdfkit) ships no types: the little Quire uses of it.
declare module "fontkit" {
  export interface Font {
    postscriptName: string;
  }
  export function create(buffer: Uint8Array, postscriptName?: string): Font;
}
