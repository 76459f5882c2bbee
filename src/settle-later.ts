/**
 * Marks a promise as handled now, for promises collected and awaited later
 * with Promise.all: without this, one that rejects before Promise.all is
 * reached is an "unhandled rejection" and kills the process. The rejection
 * still reaches whoever awaits the returned promise.
 */
export function settleLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
