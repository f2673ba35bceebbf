import { createRequire } from 'node:module';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';

const require = createRequire(import.meta.url);

/** The TTF files shipped with the dejavu-fonts-ttf package: the only fonts the PNGs (--png) are drawn with. */
export function fontFiles(): string[] {
  return [
    require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
    require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
  ];
}

/** Vega-Lite's compile-time notes are not for the user of the engine: the specs are tested instead. */
const QUIET = {
  level(): QuietLogger { return QUIET; },
  error(): QuietLogger { return QUIET; },
  warn(): QuietLogger { return QUIET; },
  info(): QuietLogger { return QUIET; },
  debug(): QuietLogger { return QUIET; },
} as unknown as NonNullable<Parameters<typeof compile>[1]>['logger'];
type QuietLogger = typeof QUIET;

/** Compile a Vega-Lite spec and render it to an SVG string with Vega's headless SVG renderer. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { spec: vgSpec } = compile(spec, { logger: QUIET });
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', logLevel: vega.None });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function pngOptions(): ResvgRenderOptions {
  return {
    font: { fontFiles: fontFiles(), loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' },
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
  };
}

/** Rasterise an SVG to PNG at twice its size, with the shipped font only (no system fonts). */
export function svgToPng(svg: string): Buffer {
  return new Resvg(svg, pngOptions()).render().asPng();
}
