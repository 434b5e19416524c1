// Follows jobs until they end: fast at first, slower later, paused while the tab is hidden.

const FIRST_DELAY_MS = 300;
const MAX_DELAY_MS = 5000;
const GROWTH = 1.5;
const ENDED = new Set(["finished", "failed"]);

export class Poller {
  /**
   * `fetchJob(id)` returns the job or throws; `onJob(id, job)` gets every answer
   * (return false to stop), `onError(id, err)` every failure (return true to stop).
   * A job is dropped once it has ended.
   */
  constructor({ fetchJob, onJob, onError }) {
    this.fetchJob = fetchJob;
    this.onJob = onJob;
    this.onError = onError;
    this.tracked = new Map(); // id -> {delay, timer, busy}
    document.addEventListener("visibilitychange", () => this.visibilityChanged());
  }

  get paused() {
    return document.visibilityState === "hidden";
  }

  track(id) {
    if (this.tracked.has(id)) return;
    this.tracked.set(id, { delay: FIRST_DELAY_MS, timer: null, busy: false });
    this.poll(id);
  }

  untrack(id) {
    const entry = this.tracked.get(id);
    if (entry) clearTimeout(entry.timer);
    this.tracked.delete(id);
  }

  schedule(id) {
    const entry = this.tracked.get(id);
    if (!entry || this.paused) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => this.poll(id), entry.delay);
    entry.delay = Math.min(MAX_DELAY_MS, Math.round(entry.delay * GROWTH));
  }

  async poll(id) {
    const entry = this.tracked.get(id);
    if (!entry || entry.busy || this.paused) return;
    entry.busy = true;
    entry.timer = null;
    let stop = false;
    try {
      const job = await this.fetchJob(id);
      const keep = this.onJob(id, job);
      stop = ENDED.has(job.status) || keep === false;
    } catch (err) {
      stop = this.onError(id, err) === true;
    } finally {
      entry.busy = false;
    }
    if (!this.tracked.has(id)) return;
    if (stop) this.untrack(id);
    else this.schedule(id);
  }

  /** Look at every tracked job now (something changed that may make failing lookups work). */
  pollAllNow() {
    for (const [id, entry] of this.tracked) {
      clearTimeout(entry.timer);
      entry.timer = null;
      entry.delay = Math.min(entry.delay, 1000);
      this.poll(id);
    }
  }

  visibilityChanged() {
    for (const [id, entry] of this.tracked) {
      clearTimeout(entry.timer);
      entry.timer = null;
      if (!this.paused) {
        // Back in view: look once now, then carry on from a moderate pace.
        entry.delay = Math.min(entry.delay, 1000);
        this.poll(id);
      }
    }
  }
}
