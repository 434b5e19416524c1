// Follows jobs until they end: over server-sent events, else long polling (?wait=N), else polling.

import { ApiError, apiHeaders, apiUrl, jobPath } from "./api.js";
import { Poller } from "./poller.js";

// A browser opens at most 6 connections to one host over HTTP/1.1; leave room for the page's calls.
const MAX_LIVE = 4;
const WAIT_SECONDS = 25;
const QUICK_MS = 1000;
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 10000;
const ENDED = new Set(["finished", "failed"]);

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function failure(reply) {
  let error = {};
  try {
    error = (await reply.json())?.error || {};
  } catch {
    // not JSON: the status says enough
  }
  return new ApiError(reply.status, error.code || "internal", error.message || `HTTP ${reply.status}`);
}

export class Follower {
  /**
   * Same callbacks as Poller: `onJob(id, job)` gets every new state of a job (return false to stop),
   * `onError(id, err)` every failure (return true to stop). `canStream()` is false while the page
   * sends an API key (EventSource cannot send headers): then long polling takes the streams' place.
   */
  constructor({ fetchJob, onJob, onError, canStream = () => true, maxLive = MAX_LIVE }) {
    this.fetchJob = fetchJob;
    this.onJob = onJob;
    this.onError = onError;
    this.canStream = canStream;
    this.maxLive = maxLive;
    this.mode = typeof EventSource === "function" ? "events" : "wait";
    this.live = new Map(); // id -> {close}
    const polled = (id, job) => {
      const keep = onJob(id, job);
      if (ENDED.has(job.status) || keep === false) setTimeout(() => this.promote(), 0);
      return keep;
    };
    this.poller = new Poller({ fetchJob, onJob: polled, onError });
  }

  /** How jobs are followed now: "events", "wait" or "poll" (the server showed it cannot do better). */
  get way() {
    return this.mode === "events" && !this.canStream() ? "wait" : this.mode;
  }

  track(id) {
    if (this.live.has(id) || this.poller.tracked.has(id)) return;
    if (this.way !== "poll" && this.live.size < this.maxLive) this.goLive(id);
    else this.poller.track(id);
  }

  untrack(id) {
    this.live.get(id)?.close();
    this.live.delete(id);
    this.poller.untrack(id);
    this.promote();
  }

  /** Look at every job again now (an API key was just given): live ones reconnect, polled ones poll. */
  pollAllNow() {
    for (const [id, channel] of [...this.live]) {
      channel.close();
      this.live.delete(id);
      this.track(id);
    }
    this.poller.pollAllNow();
  }

  /** A live slot came free: move a polled job onto it. */
  promote() {
    if (this.way === "poll") return;
    for (const id of this.poller.tracked.keys()) {
      if (this.live.size >= this.maxLive) return;
      this.poller.untrack(id);
      this.goLive(id);
    }
  }

  goLive(id) {
    const channel = { close: () => {} };
    this.live.set(id, channel);
    if (this.way === "events") this.stream(id, channel);
    else this.longPoll(id, channel);
  }

  /** The job ended or the page stopped caring: free its slot. */
  finish(id) {
    this.untrack(id);
  }

  /** A job whose live way failed: hand it to plain polling. */
  toPolling(id) {
    this.live.get(id)?.close();
    this.live.delete(id);
    this.poller.track(id);
  }

  deliver(id, job) {
    const keep = this.onJob(id, job);
    if (ENDED.has(job.status) || keep === false) {
      this.finish(id);
      return false;
    }
    return true;
  }

  stream(id, channel) {
    const source = new EventSource(apiUrl(`${jobPath(id)}/events`));
    let opened = false;
    channel.close = () => source.close();
    source.addEventListener("open", () => {
      opened = true;
    });
    source.addEventListener("status", (event) => {
      opened = true;
      let job;
      try {
        job = JSON.parse(event.data);
      } catch {
        return;
      }
      this.deliver(id, job);
    });
    source.addEventListener("error", () => {
      // While CONNECTING the browser reconnects by itself, sending Last-Event-ID; CLOSED means refused.
      if (source.readyState === EventSource.CLOSED && this.live.get(id) === channel) this.streamRefused(id, channel, opened);
    });
  }

  /** The server refused the stream: a job it does not know, or a server without streams. */
  async streamRefused(id, channel, opened) {
    channel.close();
    let job;
    try {
      job = await this.fetchJob(id);
    } catch (err) {
      if (this.onError(id, err) === true) this.finish(id);
      else this.toPolling(id);
      return;
    }
    if (this.live.get(id) !== channel || !this.deliver(id, job)) return;
    if (!opened && this.mode === "events") this.mode = "wait";
    this.longPoll(id, channel);
  }

  async longPoll(id, channel) {
    const controller = new AbortController();
    channel.close = () => controller.abort();
    let etag = null;
    let backoff = FIRST_BACKOFF_MS;
    let quick = 0;
    while (!controller.signal.aborted) {
      const started = performance.now();
      const headers = apiHeaders();
      if (etag) headers["If-None-Match"] = etag;
      let reply;
      try {
        reply = await fetch(apiUrl(`${jobPath(id)}?wait=${WAIT_SECONDS}`), { headers, cache: "no-store", signal: controller.signal });
        if (reply.status !== 304 && !reply.ok) throw await failure(reply);
      } catch (err) {
        if (controller.signal.aborted) return;
        const error = err instanceof ApiError ? err : new ApiError(0, "network", "The server could not be reached.");
        if (this.onError(id, error) === true) return this.finish(id);
        await pause(backoff);
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
        continue;
      }
      backoff = FIRST_BACKOFF_MS;
      // A server that answers at once without change ignores ?wait: polling is kinder to it.
      quick = performance.now() - started < QUICK_MS ? quick + 1 : 0;
      if (reply.status === 304) {
        if (quick >= 2) return this.downgrade(id);
        continue;
      }
      const tag = reply.headers.get("ETag");
      const job = await reply.json();
      if (!this.deliver(id, job) || controller.signal.aborted) return;
      if (!tag || (tag === etag && quick >= 2)) return this.downgrade(id);
      etag = tag;
    }
  }

  downgrade(id) {
    this.mode = "poll";
    this.toPolling(id);
  }
}
