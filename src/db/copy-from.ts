import type pg from 'pg';

/** The parts of pg's connection a COPY uses: pg has the protocol messages, not an API for them. */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/**
 * Runs `copy … from stdin` on `client`, sending `data` (rows in the COPY format the statement names) as
 * the input; resolves with the number of rows copied. Errors reject as from any query (a refused row
 * aborts the whole COPY).
 *
 * This is the submittable that pg-copy-streams would give, cut down to what baton needs: all the data is
 * in memory already, so there is no stream and no back-pressure to manage, only the four protocol
 * messages (Query, CopyInResponse → CopyData + CopyDone, CommandComplete, ReadyForQuery).
 */
export function copyFrom(client: pg.ClientBase, sql: string, data: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    let rows = 0;
    const copy = {
      submit(connection: CopyConnection) {
        connection.query(sql);
      },
      handleCopyInResponse(connection: CopyConnection) {
        connection.sendCopyFromChunk(data);
        connection.endCopyFrom();
      },
      handleCommandComplete(message: { text: string }) {
        rows = Number(message.text.split(' ').at(-1));
      },
      handleReadyForQuery: () => resolve(rows),
      handleError: reject,
      // Not sent in answer to COPY FROM; pg calls them only if a server did.
      handleRowDescription() {},
      handleDataRow() {},
      handleEmptyQuery() {},
      handlePortalSuspended() {},
      handleCopyData() {},
    };
    client.query(copy as unknown as pg.Submittable);
  });
}
