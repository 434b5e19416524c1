// Runs at most `size` tasks at once; waiting tasks can be withdrawn before they start.

export class Limiter {
  constructor(size) {
    this.size = size;
    this.active = 0;
    this.waiting = [];
  }

  /** Queue `task` (an async function) under `key`. */
  add(key, task) {
    this.waiting.push({ key, task });
    this.pump();
  }

  /** Withdraw a task that has not started; true if it was waiting. */
  withdraw(key) {
    const index = this.waiting.findIndex((item) => item.key === key);
    if (index < 0) return false;
    this.waiting.splice(index, 1);
    return true;
  }

  pump() {
    while (this.active < this.size && this.waiting.length) {
      const { task } = this.waiting.shift();
      this.active += 1;
      Promise.resolve()
        .then(task)
        .catch((err) => console.warn("upload task failed unexpectedly", err))
        .finally(() => {
          this.active -= 1;
          this.pump();
        });
    }
  }
}
