export async function renderSpecToPng(_spec: unknown, _w: number, _h: number): Promise<string> { throw new Error('charts are not implemented yet'); }
