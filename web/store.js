// The list of jobs kept in localStorage, so a reload shows them again (their status is fetched anew).

const KEY = "filejobs.jobs.v1";

/** The stored entries, oldest first: `{job_id, filename, size, added_at}`. */
export function loadJobs() {
  try {
    const entries = JSON.parse(localStorage.getItem(KEY) || "[]");
    return Array.isArray(entries) ? entries.filter((e) => e && typeof e.job_id === "string") : [];
  } catch {
    return [];
  }
}

export function saveJobs(entries) {
  try {
    localStorage.setItem(KEY, JSON.stringify(entries));
  } catch {
    // Storage full or disabled (private mode): the list just won't survive a reload.
  }
}
