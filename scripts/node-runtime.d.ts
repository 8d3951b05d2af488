// Types of node-runtime.js (plain JavaScript so that an old Node can run it).
export declare const MIN_NODE: string;
export declare function nodeIsRecentEnough(version: string): boolean;
export declare function nodeCacheDir(env?: Record<string, string | undefined>): string;
export declare function cachedNodeBinary(env?: Record<string, string | undefined>): string;
