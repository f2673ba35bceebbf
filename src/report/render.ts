import { createRequire } from 'node:module';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { Resvg, renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';

const require = createRequire(import.meta.url);

/** The TTF files shipped with the dejavu-fonts-ttf package: the only fonts the PNGs are drawn with. */
export function fontFiles(): string[] {
  return [
    require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
    require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
  ];
}

/** Compile a Vega-Lite spec and render it to an SVG string with Vega's headless SVG renderer. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { spec: vgSpec } = compile(spec);
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

/**
 * The same PNG (byte for byte) rasterised on libuv's thread pool, so that several charts are
 * drawn at once while the main thread lays out the next ones.
 */
export async function svgToPngAsync(svg: string): Promise<Buffer> {
  return (await renderAsync(svg, pngOptions())).asPng();
}
