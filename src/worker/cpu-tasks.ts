// CPU-heavy JavaScript steps, run on worker threads so the event loop keeps serving.
// Each task is a plain async function of JSON-serializable arguments; add new ones here.
export const cpuTasks: Record<string, (args: any) => Promise<unknown>> = {
  async excelToCsv(args: { input: string; output: string; skipRows: number; header?: boolean; limits: { maxInflatedBytes: number; maxCells: number }; sheetName?: string }) {
    const { excelToCsv } = await import('../engine/import/excel.ts');
    return excelToCsv(args.input, args.output, args.skipRows, args.header ?? true, args.limits, args.sheetName);
  },
  async transcode(args: { input: string; output: string; encoding: string | null; delimiter?: string }) {
    const { transcodeToUtf8 } = await import('../engine/import/encoding.ts');
    return transcodeToUtf8(args.input, args.output, args.encoding, args.delimiter);
  },
  async checkJson(args: { input: string }) {
    const { checkJsonFile } = await import('../engine/import/json-syntax.ts');
    return checkJsonFile(args.input);
  },
  async interpolate(args: { values: Float64Array; method: string; order: number }) {
    const { interpolate } = await import('../engine/interpolation/index.ts');
    return interpolate(args.values, args.method as never, args.order);
  },
  async renderChart(args: { spec: unknown; width: number; height: number }) {
    const { renderSpecToPng } = await import('../engine/chart/render.ts');
    return renderSpecToPng(args.spec, args.width, args.height);
  },
};
