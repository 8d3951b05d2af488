// The files a restore as files writes beside its dump `<prefix>.dump`: the dump while it is being
// written, and its SHA-256. The restore job writes them; planning refuses a target where one
// exists and start-up recovery removes what an interrupted restore left.

export const partialOf = (file: string): string => `${file}.partial`;
export const checksumOf = (file: string): string => `${file}.sha256`;
