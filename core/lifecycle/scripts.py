"""The Lua scripts behind every transition: each updates the record, its batches' counters and the
statistics, and announces the change, in one round trip (registered once, then run by EVALSHA).

The scripts reach the batch and job keys a record names (not only KEYS): fine on one Redis or a
replicated one, not on Redis Cluster.
"""

from __future__ import annotations

from core import layout
from core.tasks import ENQUEUE_FUNCTION

_PRELUDE = """
local COUNTED = {queued=true, started=true, finished=true, failed=true}
local ENDED = {finished=true, failed=true}

local function announce_batch(bkey, batch_id)
  local rev = redis.call('HINCRBY', bkey, 'rev', 1)
  local status = redis.call('HGET', bkey, 'status')
  redis.call('PUBLISH', '%(batch_channel)s' .. batch_id,
    cjson.encode({batch_id=batch_id, status=status, rev=rev}))
end

-- Whether the batch has just completed (true once per batch: its manifest is then written).
local function closes(bkey, ended)
  local status = redis.call('HGET', bkey, 'status')
  if status == 'listing' then return false end
  local total = tonumber(redis.call('HGET', bkey, 'total') or '0')
  if ended >= total then
    if status ~= 'done' then redis.call('HSET', bkey, 'status', 'done') end
    return redis.call('HSETNX', bkey, 'manifest', '1') == 1
  end
  if status == 'done' then redis.call('HSET', bkey, 'status', 'running') end
  return false
end

-- Move a job from one state to another in the counters of each batch it belongs to.
local function recount(batches, before, after, words, now)
  local completed = {}
  for batch_id in string.gmatch(batches or '', '%%S+') do
    local bkey = '%(batch_prefix)s' .. batch_id
    if redis.call('EXISTS', bkey) == 1 then
      if COUNTED[before] then redis.call('HINCRBY', bkey, before, -1) end
      if COUNTED[after] then redis.call('HINCRBY', bkey, after, 1) end
      if words ~= 0 then redis.call('HINCRBY', bkey, 'words', words) end
      local step = 0
      if ENDED[after] and not ENDED[before] then step = 1 end
      if ENDED[before] and not ENDED[after] then step = -1 end
      local ended = redis.call('HINCRBY', bkey, 'ended', step)
      redis.call('HSET', bkey, 'updated_at', now)
      if closes(bkey, ended) then table.insert(completed, batch_id) end
      announce_batch(bkey, batch_id)
    end
  end
  return completed
end

local function count_outcome(status, code, file_type, bucket, seconds)
  redis.call('HINCRBY', '%(stats_ended)s', status, 1)
  if code ~= '' then redis.call('HINCRBY', '%(stats_failures)s', code, 1) end
  if file_type and bucket ~= '' then
    local key = '%(duration_prefix)s' .. file_type
    redis.call('HINCRBY', key, bucket, 1)
    redis.call('HINCRBYFLOAT', key, 'sum', seconds)
  end
end

-- `result` (JSON, or '' for none) rides along verbatim, so watchers need not read it from the bucket.
local function announce_job(job_id, status, rev, result)
  local message = cjson.encode({job_id=job_id, status=status, rev=rev})
  if result and result ~= '' then message = string.sub(message, 1, -2) .. ',"result":' .. result .. '}' end
  redis.call('PUBLISH', '%(job_channel)s' .. job_id, message)
end
"""

# KEYS: the record, then (to queue the job in the same call) RQ's job hash and the queue.
# ARGV: 1 job id, 2 now, 3 ttl, 4 status, 5 error code ('' none), 6 how many field items follow,
# 7.. the record's field pairs, then the RQ job's field pairs (core.tasks.QueuedTask).
# Returns {'created', 1 if queued else 0} or {'exists', status, record}.
CREATE = """
local key = KEYS[1]
local current = redis.call('HGET', key, 'status')
if current then return {'exists', current, redis.call('HGETALL', key)} end
local last = 6 + tonumber(ARGV[6])
redis.call('HSET', key, 'status', ARGV[4], 'created_at', ARGV[2], 'updated_at', ARGV[2], 'rev', 1,
  unpack(ARGV, 7, last))
redis.call('EXPIRE', key, tonumber(ARGV[3]))
if ENDED[ARGV[4]] then count_outcome(ARGV[4], ARGV[5], false, '', 0) end
announce_job(ARGV[1], ARGV[4], 1)
local queued = 0
if KEYS[2] then queued = enqueue_task(KEYS[2], KEYS[3], ARGV[1], last + 1, #ARGV) end
return {'created', queued}
"""

# Several new jobs at once, their queued ones processed in turn by one RQ job (a group).
# KEYS: the group's RQ job hash, the queue, the group's list of job ids, then each job's record.
# ARGV: 1 now, 2 ttl, 3 the group's id, 4 how many RQ field items follow, 5.. the RQ job's field pairs,
# then for each record: job id, status, error code ('' none), how many field items follow, field pairs.
# A job whose record exists already is left as it is (not in the group). The group is queued when it
# has a job. Returns, per record, {'created'} or {'exists', status, record}.
CREATE_GROUP = """
local now, ttl = ARGV[1], tonumber(ARGV[2])
local i = 5 + tonumber(ARGV[4])
local replies, members = {}, 0
for k = 4, #KEYS do
  local key, job_id, status, code = KEYS[k], ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local last = i + 3 + tonumber(ARGV[i + 3])
  local current = redis.call('HGET', key, 'status')
  if current then
    table.insert(replies, {'exists', current, redis.call('HGETALL', key)})
  else
    redis.call('HSET', key, 'status', status, 'created_at', now, 'updated_at', now, 'rev', 1,
      unpack(ARGV, i + 4, last))
    redis.call('EXPIRE', key, ttl)
    if ENDED[status] then count_outcome(status, code, false, '', 0) end
    announce_job(job_id, status, 1)
    if status == 'queued' then
      redis.call('RPUSH', KEYS[3], job_id)
      members = members + 1
    end
    table.insert(replies, {'created'})
  end
  i = last + 1
end
if members > 0 then
  redis.call('EXPIRE', KEYS[3], ttl)
  enqueue_task(KEYS[1], KEYS[2], ARGV[3], 5, 4 + tonumber(ARGV[4]))
end
return replies
"""

# KEYS: the record, its PDF parts (deleted when a PDF's job ends).
# ARGV: 1 job id, 2 now, 3 ttl, 4 new status, 5 allowed statuses (space-separated), 6 '1' to count
# an attempt, 7 the attempt that must be the current one ('' any), 8 error code ('' none),
# 9 duration bucket ('' none), 10 seconds, 11 most attempts a retry allows ('' not a retry),
# 12 codes a retry allows, 13 words to add to the batches, 14 '1' to write the record anew with only
# the fields given and those named '+' (the small record an ended job keeps), 15 '1' to return the
# record, 16 the step's token, 17.. field pairs: a name starting with '-' is deleted, with '+' kept
# when written anew; '=result' is not stored but sent with the change's announcement.
# Returns {'missing'}, {'refused', status, record} or {'applied', status before, record or {}, completed}.
# A step sent again with the same token (its reply was lost when a connection dropped, and the client
# retried) gets the first answer again, so the ending hook still runs once.
TRANSITION = """
local key = KEYS[1]
local cur = redis.call('HMGET', key, 'status', 'attempts', 'error', 'batches', 'file_type', 'rev', 'step')
local before = cur[1]
if not before then return {'missing'} end
if cur[7] then
  local token, was, done = string.match(cur[7], '^(%S+) (%S+)(.*)$')
  if token == ARGV[16] then
    local completed = {}
    for batch_id in string.gmatch(done, '%S+') do table.insert(completed, batch_id) end
    local record = {}
    if ARGV[15] == '1' then record = redis.call('HGETALL', key) end
    return {'applied', was, record, completed}
  end
end
local allowed = false
for s in string.gmatch(ARGV[5], '%S+') do if s == before then allowed = true end end
local attempts = cur[2] or '0'
if allowed and ARGV[7] ~= '' and attempts ~= ARGV[7] then allowed = false end
if allowed and ARGV[11] ~= '' then
  local code = cur[3] and cjson.decode(cur[3]).code or ''
  local retryable = false
  for c in string.gmatch(ARGV[12], '%S+') do if c == code then retryable = true end end
  if not retryable or tonumber(attempts) >= tonumber(ARGV[11]) then allowed = false end
end
if not allowed then return {'refused', before, redis.call('HGETALL', key)} end
local after = ARGV[4]
if ARGV[6] == '1' then attempts = tonumber(attempts) + 1 end
local rev = tonumber(cur[6] or '0') + 1
local set = {'status', after, 'updated_at', ARGV[2], 'rev', rev, 'attempts', attempts}
local drop, keep, announced = {}, {}, ''
for i = 17, #ARGV, 2 do
  local name, lead = ARGV[i], string.sub(ARGV[i], 1, 1)
  if lead == '-' then table.insert(drop, string.sub(name, 2))
  elseif lead == '+' then table.insert(keep, string.sub(name, 2))
  elseif name == '=result' then announced = ARGV[i + 1]
  else table.insert(set, name); table.insert(set, ARGV[i + 1]) end
end
if ARGV[14] == '1' then
  -- Written afresh, the small record is a compact listpack again (a hash never converts back itself).
  if #keep > 0 then
    local kept = redis.call('HMGET', key, unpack(keep))
    for i, name in ipairs(keep) do
      if kept[i] then table.insert(set, name); table.insert(set, kept[i]) end
    end
  end
  redis.call('DEL', key)
elseif #drop > 0 then
  redis.call('HDEL', key, unpack(drop))
end
redis.call('HSET', key, unpack(set))
redis.call('EXPIRE', key, tonumber(ARGV[3]))
-- The job's announcement (with its result) goes out before its batches': a batch's watchers then
-- find the result already kept (core.lifecycle.finished).
announce_job(ARGV[1], after, rev, announced)
local completed = {}
if after ~= before and cur[4] then
  completed = recount(cur[4], before, after, tonumber(ARGV[13]), ARGV[2])
end
if ENDED[after] and not ENDED[before] then
  if cur[5] == 'pdf' then redis.call('DEL', KEYS[2]) end
  count_outcome(after, ARGV[8], cur[5], ARGV[9], ARGV[10])
end
redis.call('HSET', key, 'step', ARGV[16] .. ' ' .. before .. ' ' .. table.concat(completed, ' '))
local record = {}
if ARGV[15] == '1' then record = redis.call('HGETALL', key) end
return {'applied', before, record, completed}
"""

# KEYS: the batch, its job list. ARGV: batch id, ttl, '1' to seal (the list is complete), job ids.
# Each job is counted in the state it is in now, so a job that ended before it joined still counts.
# Returns {'missing'} or {'joined', 1 if the batch just completed else 0}.
JOIN = """
local bkey = KEYS[1]
if redis.call('EXISTS', bkey) == 0 then return {'missing'} end
for i = 4, #ARGV do
  local id = ARGV[i]
  redis.call('RPUSH', KEYS[2], id)
  local jkey = '%(job_prefix)s' .. id
  local status = redis.call('HGET', jkey, 'status')
  if status then
    local batches = redis.call('HGET', jkey, 'batches')
    redis.call('HSET', jkey, 'batches', batches and (batches .. ' ' .. ARGV[1]) or ARGV[1])
    if COUNTED[status] then redis.call('HINCRBY', bkey, status, 1) end
    if ENDED[status] then redis.call('HINCRBY', bkey, 'ended', 1) end
    local words = redis.call('HGET', jkey, 'words')
    if words then redis.call('HINCRBY', bkey, 'words', words) end
  end
end
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[2]))
if ARGV[3] == '1' then redis.call('HSET', bkey, 'status', 'running', 'total', redis.call('LLEN', KEYS[2])) end
local completed = closes(bkey, tonumber(redis.call('HGET', bkey, 'ended') or '0'))
announce_batch(bkey, ARGV[1])
return {'joined', completed and 1 or 0}
"""


def _with_prelude(body: str) -> str:
    names = {
        "batch_channel": layout.batch_channel(""),
        "job_channel": layout.job_channel(""),
        "batch_prefix": layout.batch_key(""),
        "job_prefix": layout.job_key(""),
        "stats_ended": layout.STATS_ENDED,
        "stats_failures": layout.STATS_FAILURES,
        "duration_prefix": layout.duration_key(""),
    }
    return _PRELUDE % names + ENQUEUE_FUNCTION + (body % names if "%(" in body else body)


CREATE_SCRIPT = _with_prelude(CREATE)
CREATE_GROUP_SCRIPT = _with_prelude(CREATE_GROUP)
TRANSITION_SCRIPT = _with_prelude(TRANSITION)
JOIN_SCRIPT = _with_prelude(JOIN)

# KEYS: the record. ARGV: ttl (unused: the record keeps the time to live its last step gave it), then
# field pairs. Sets fields of an existing record that no status depends on (a refused callback's
# reason), counting the change in `rev`; 0 when there is none.
NOTE_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('HINCRBY', KEYS[1], 'rev', 1)
return 1
"""
