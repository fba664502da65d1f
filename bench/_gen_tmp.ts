import { writeFileSync } from 'node:fs';
import { submissionsList } from './json.js';
writeFileSync('/tmp/jprof/doc.json', submissionsList(5 * 1024 * 1024));
