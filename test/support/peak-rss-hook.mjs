// Preloaded into a measured child (`node --import …/peak-rss-hook.mjs`): when the process
// exits, writes its peak resident set size (getrusage ru_maxrss, KB) to PEAK_RSS_FILE.
// The variable is removed at once, so processes this one starts do not overwrite the file.
import { writeFileSync } from 'node:fs';

const file = process.env.PEAK_RSS_FILE;
delete process.env.PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
