/** A ```ts block of a README, and the ```text block right after it (what it prints), if any. */
export interface Example {
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
  prints?: string;
}

/**
 * The ```ts blocks of a markdown text in order. A ```text block that follows a ts block with only prose between
 * them (no heading, no other code block) is what the example prints.
 */
export function extractExamples(markdown: string): Example[] {
  const lines = markdown.split('\n');
  const examples: Example[] = [];
  let i = 0;
  const block = (start: number) => {
    const end = lines.findIndex((l, k) => k > start && l.trim() === '```');
    if (end < 0) throw new Error(`README line ${start + 1}: the code block is not closed`);
    return { text: lines.slice(start + 1, end).join('\n'), end };
  };
  while (i < lines.length) {
    if (lines[i].trim() === '```ts') {
      const { text, end } = block(i);
      const example: Example = { line: i + 1, code: text };
      let k = end + 1;
      while (k < lines.length && !lines[k].startsWith('```') && !lines[k].startsWith('#')) k++;
      if (k < lines.length && lines[k].trim() === '```text') {
        const out = block(k);
        example.prints = out.text;
        i = out.end + 1;
      } else i = end + 1;
      examples.push(example);
    } else i++;
  }
  return examples;
}
