// The first rows of a CSV file read in the browser, for the import wizard's column mapping and
// preview: quotes (with "" inside and line breaks inside quotes), a UTF-8 BOM, and the delimiter
// detected as the server does (the one splitting the header into the most columns).

export const DELIMITERS = [",", ";", "\t", "|"];
const SAMPLE_BYTES = 64 * 1024;

/** Rows of cells from `text`, at most `limit` rows (a cut last row is dropped by the caller). */
export function parseCsv(text, delimiter, limit = Infinity) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length && rows.length < limit; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === "") quoted = true;
    else if (c === delimiter) { row.push(cell); cell = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if ((cell !== "" || row.length) && rows.length < limit) rows.push([...row, cell]);
  return rows;
}

/** The delimiter that splits the header line (quotes honoured) into the most columns. */
export function detectDelimiter(text) {
  let best = ",";
  let most = 0;
  for (const d of DELIMITERS) {
    const n = (parseCsv(text, d, 1)[0] || []).length;
    if (n > most) { best = d; most = n; }
  }
  return best;
}

/** An XLSX workbook is a zip: its first bytes are "PK\x03\x04". */
async function isZip(file) {
  const head = new Uint8Array(await file.slice(0, 4).arrayBuffer());
  return head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4;
}

/** `{kind: "xlsx"}` or `{kind: "csv", delimiter, header, rows}` from the file's first 64 KB:
 * the header and up to `count` data rows (empty rows left out, as the import does). */
export async function preview(file, count = 20) {
  if (await isZip(file)) return { kind: "xlsx" };
  const text = (await file.slice(0, SAMPLE_BYTES).text()).replace(/^\uFEFF/, "");
  const delimiter = detectDelimiter(text);
  const whole = file.size <= SAMPLE_BYTES;
  const rows = parseCsv(text, delimiter, count + 2).filter((r) => r.some((c) => c.trim() !== ""));
  if (!whole && rows.length > count + 1) rows.pop(); // the sample may have cut the last row short
  const [header = [], ...data] = rows;
  return { kind: "csv", delimiter, header: header.map((c) => c.trim()), rows: data.slice(0, count) };
}
