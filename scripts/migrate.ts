import { prepare } from '../server/boot';

/** `npm run db:migrate`: registry, queue tables, template, and every existing church's database. */
await prepare();
