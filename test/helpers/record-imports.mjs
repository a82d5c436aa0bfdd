// `node --import ./test/helpers/record-imports.mjs …` appends the URL of every module the process loads
// to the file named by RECORD_IMPORTS_TO: how a test sees what a command imports.
import { register } from 'node:module';

register('./record-imports-hooks.mjs', import.meta.url);
