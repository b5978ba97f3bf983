// Writes src/reply/render/simplified-marks.ts: the Han characters that OpenCC's Simplified→Taiwan
// conversion changes on their own, which mark a text as Simplified (src/reply/render/chinese-script.ts).
// Kept as a list so the service never loads OpenCC's 1 MB Simplified→Traditional tables (about
// 80 MB once built); test/reply/simplified-marks.test.ts checks it against opencc-js.
// Run after upgrading opencc-js: node scripts/simplified-marks.mjs
import { writeFileSync } from 'node:fs';
import { Converter } from 'opencc-js/cn2t';

export function simplifiedMarks() {
  const toTraditional = Converter({ from: 'cn', to: 'tw' });
  const han = /\p{Script=Han}/u;
  const marks = [];
  // Every Han block: CJK Radicals (U+2E80) up to the Supplementary Ideographic Plane's end.
  for (let cp = 0x2e80; cp <= 0x3ffff; cp++) {
    const char = String.fromCodePoint(cp);
    if (han.test(char) && toTraditional(char) !== char) marks.push(char);
  }
  return marks.join('');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const marks = simplifiedMarks();
  const lines = marks.match(/.{1,60}/gsu) ?? [];
  const file = new URL('../src/reply/render/simplified-marks.ts', import.meta.url);
  writeFileSync(
    file,
    `/**
 * The Han characters that OpenCC's Simplified→Taiwan conversion changes on their own (账, 号,
 * 赔): each marks a text as Simplified (chinese-script.ts). Generated from opencc-js by
 * \`node scripts/simplified-marks.mjs\`; test/reply/simplified-marks.test.ts checks it is current.
 */
export const SIMPLIFIED_MARKS: ReadonlySet<string> = new Set(
  [
${lines.map((l) => `    '${l}',`).join('\n')}
  ].join(''),
);
`,
  );
  console.log(`${[...marks].length} characters written to ${file.pathname}`);
}
