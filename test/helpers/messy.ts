/**
 * A small messy CSV as people get them: missing values in several spellings, empty text,
 * numbers with outliers, text with stray spaces and mixed case, dates, booleans, an
 * e-mail column to split, duplicated rows. Deterministic (a fixed LCG), `rows` data rows.
 */
export function messyCsv(rows = 240): string {
  let s = 42;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const cities = ['Berlin', 'berlin ', 'Paris', 'London', 'Madrid', 'Rome', 'Oslo', 'NA', ''];
  const first = ['Ana', 'Ben', 'Chen', 'Dara', 'Eli', 'Femi', 'Gus', 'Hana'];
  const lines = ['id,name,email,city,price,qty,joined,active,score,notes'];
  for (let i = 0; i < rows; i++) {
    const name = first[Math.floor(rnd() * first.length)];
    const email = rnd() < 0.08 ? '' : `${name.toLowerCase()}.${i}@example.${rnd() < 0.5 ? 'com' : 'org'}`;
    const city = cities[Math.floor(rnd() * cities.length)];
    const price = rnd() < 0.1 ? 'NaN' : (rnd() * 200).toFixed(2);
    const qty = rnd() < 0.15 ? '' : String(Math.floor(rnd() * 40));
    const d = new Date(Date.UTC(2020, 0, 1) + Math.floor(rnd() * 1500) * 86400000).toISOString().slice(0, 10);
    const active = rnd() < 0.5 ? 'True' : 'False';
    const score = rnd() < 0.03 ? (900 + rnd() * 100).toFixed(1) : (40 + rnd() * 20).toFixed(1);
    const notes = rnd() < 0.3 ? '"needs review, urgent"' : rnd() < 0.5 ? 'ok' : 'n/a';
    lines.push([i, name, email, city, price, qty, d, active, score, notes].join(','));
    if (i % 37 === 5) lines.push([i, name, email, city, price, qty, d, active, score, notes].join(',')); // a duplicate row
  }
  return lines.join('\n') + '\n';
}
