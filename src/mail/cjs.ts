/**
 * The CommonJS mail packages, loaded with require. On Node 20 an ESM `import` of a CommonJS
 * package costs far more than requiring it (mailparser: 174 ms against 95 ms), and every
 * command that parses mail (`check` of one email, say) pays it at start.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const mailparser = require('mailparser') as typeof import('mailparser');
export const libmime = require('libmime') as typeof import('libmime').default;
export const iconv = require('iconv-lite') as typeof import('iconv-lite');
