/** One parsed Prometheus text exposition: family name -> label keys seen and sample lines. */
export interface Family {
  readonly type: string;
  readonly labelKeys: Set<string>;
  readonly samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses enough of the text format for assertions: TYPE lines and samples with labels. */
export function parseExposition(body: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const familyOf = (sample: string): Family | undefined => {
    for (const suffix of ['', '_bucket', '_sum', '_count']) {
      if (suffix !== '' && !sample.endsWith(suffix)) continue;
      const family = families.get(sample.slice(0, sample.length - suffix.length));
      if (family !== undefined) return family;
    }
    return undefined;
  };
  for (const line of body.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type?.[1] !== undefined && type[2] !== undefined) {
      families.set(type[1], { type: type[2], labelKeys: new Set(), samples: [] });
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = SAMPLE.exec(line);
    if (match?.[1] === undefined || match[3] === undefined) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) if (key !== undefined) labels[key] = value ?? '';
    const family = familyOf(match[1]);
    if (family === undefined) throw new Error(`sample without a TYPE line: ${line}`);
    for (const key of Object.keys(labels)) if (key !== 'le') family.labelKeys.add(key);
    family.samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return families;
}
