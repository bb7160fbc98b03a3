/** First-in, first-out queue of small integers (slot numbers, table ids) without O(n) shifts. */
export class SlotQueue {
  private items = new Int32Array(1024);
  private head = 0;
  private tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  push(v: number): void {
    if (this.tail === this.items.length) {
      const live = this.items.subarray(this.head, this.tail);
      const grown = live.length * 2 > this.items.length ? new Int32Array(this.items.length * 2) : this.items;
      grown.set(live);
      this.items = grown;
      this.tail -= this.head;
      this.head = 0;
    }
    this.items[this.tail++] = v;
  }

  shift(): number {
    return this.items[this.head++]!;
  }
}
