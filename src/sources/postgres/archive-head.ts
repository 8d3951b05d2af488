// The head (header and TOC) of an archive read off the start of a stream, which is then closed:
// an item-level restore checks the tables a recovery point holds without reading its data.
import type { Readable } from 'node:stream';
import { ArchiveHeadReader, type ArchiveHead } from './archive-toc.ts';

export async function readArchiveHead(stream: Readable): Promise<ArchiveHead> {
  const reader = new ArchiveHeadReader();
  try {
    for await (const chunk of stream) {
      const got = reader.push(Buffer.from(chunk as Buffer));
      if (got) return got.head;
    }
    return reader.end().head;
  } finally {
    stream.destroy();
  }
}
