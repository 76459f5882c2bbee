/**
 * Runs tasks for one name one after another, tasks for different names in
 * parallel. Used where a store cannot make save-if-absent atomic by itself
 * (an S3-compatible server that ignores If-None-Match): within this process,
 * two saves of one name never race between the existence check and the write.
 */
export class NameLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(name: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(name) ?? Promise.resolve();
    const result = before.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(name, tail);
    try {
      return await result;
    } finally {
      // The last task for a name removes the entry, so the map does not grow with every name ever saved.
      if (this.tails.get(name) === tail) this.tails.delete(name);
    }
  }
}
