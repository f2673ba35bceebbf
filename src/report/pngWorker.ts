import { parentPort } from 'node:worker_threads';
import { svgToPng } from './render.js';

/** A worker of src/report/pngPool.ts: SVG text in, PNG bytes out (resvg, the shipped font only). */
parentPort!.on('message', (m: { id: number; svg: string }) => {
  const png = svgToPng(m.svg);
  parentPort!.postMessage({ id: m.id, png });
});
