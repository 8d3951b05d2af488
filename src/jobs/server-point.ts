// Reading a whole-server recovery point lives in services/server-point.ts (an item-level restore's
// checks read one database's dump of it before any job); re-exported here for the jobs.
export { isServerPoint, serverPointDatabaseDump, serverPointEntries } from '../services/server-point.ts';
