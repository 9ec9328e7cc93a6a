import { fileURLToPath } from 'node:url';
import { testReadme } from '@scorefield/readme-examples';

testReadme(fileURLToPath(new URL('..', import.meta.url)));
