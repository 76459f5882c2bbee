/**
 * Batches the messages sent to one thread during a turn of the event loop
 * into a single postMessage. Waking another thread costs far more than
 * cloning a small message, and a tree of small files makes many messages.
 */
export interface Postable {
  postMessage(value: unknown, transfer?: readonly ArrayBuffer[]): void;
}

export class Mailbox<T> {
  private messages: T[] = [];
  private transfer: ArrayBuffer[] = [];
  private scheduled = false;

  constructor(private readonly target: Postable) {}

  post(message: T, transfer: readonly ArrayBuffer[] = []): void {
    this.messages.push(message);
    this.transfer.push(...transfer);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    const messages = this.messages;
    const transfer = this.transfer;
    this.messages = [];
    this.transfer = [];
    this.scheduled = false;
    this.target.postMessage(messages, transfer);
  }
}
