"""The Lua scripts behind ``RedisJobStore``: each state change of a job row is one atomic script.

KEYS layout shared by the row scripts (``ROW_KEYS``): the job hash, the pending zset (by created), the
running zset (by lease end), the key's running zset, the counts hash, the key's pending zset (by created).
Scripts that walk several rows (expired, coalesce) build row names from a prefix argument: every name
carries the store's ``{prefix}`` hash tag, so a cluster keeps them on one slot.
"""

from __future__ import annotations

# Leases compare against one clock: Redis's own (TIME) unless the caller brings one (tests).
NOW = """
local function now_from(arg)
  if arg ~= '' then return tonumber(arg) end
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end
"""

# ARGV: id, kind, key, payload, now.
ADD = NOW + """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local created = now_from(ARGV[5])
redis.call('HSET', KEYS[1], 'kind', ARGV[2], 'key', ARGV[3], 'payload', ARGV[4], 'status', 'pending',
           'lease_until', 0, 'attempts', 0, 'created', tostring(created))
redis.call('ZADD', KEYS[2], created, ARGV[1])
redis.call('ZADD', KEYS[6], created, ARGV[1])
redis.call('HINCRBY', KEYS[5], 'pending', 1)
return 1
"""

# ARGV: id, now, lease seconds. Returns kind, key, payload, attempts, created, the claim's moment; or nil.
CLAIM = NOW + """
local now = now_from(ARGV[2])
local row = redis.call('HMGET', KEYS[1], 'status', 'lease_until', 'kind', 'key', 'payload', 'attempts',
                       'created')
local status = row[1]
if not status then return false end
if status == 'done' or status == 'failed' then return false end
if status == 'running' and tonumber(row[2]) > now then return false end
local live = redis.call('ZRANGEBYSCORE', KEYS[4], '(' .. tostring(now), '+inf')
for _, other in ipairs(live) do
  if other ~= ARGV[1] then return false end
end
local lease_until = now + tonumber(ARGV[3])
if status == 'pending' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[6], ARGV[1])
  redis.call('HINCRBY', KEYS[5], 'pending', -1)
  redis.call('HINCRBY', KEYS[5], 'running', 1)
end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'status', 'running', 'lease_until', tostring(lease_until))
redis.call('ZADD', KEYS[3], lease_until, ARGV[1])
redis.call('ZADD', KEYS[4], lease_until, ARGV[1])
return {row[3], row[4], row[5], attempts, row[7], tostring(now)}
"""

# ARGV: id, new status, only-from status ('' = any).
MOVE = """
local row = redis.call('HMGET', KEYS[1], 'status', 'created')
local status = row[1]
if not status then return 0 end
if ARGV[3] ~= '' and status ~= ARGV[3] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[6], ARGV[1])
redis.call('HINCRBY', KEYS[5], status, -1)
redis.call('HINCRBY', KEYS[5], ARGV[2], 1)
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'lease_until', 0)
if ARGV[2] == 'pending' then
  redis.call('ZADD', KEYS[2], tonumber(row[2]), ARGV[1])
  redis.call('ZADD', KEYS[6], tonumber(row[2]), ARGV[1])
end
return 1
"""

# Move a running row's lease end (defer: the forge's Retry-After; renew: the worker is still at it).
# ARGV: id, now, seconds, attempt ('' = any: the row is still this claim's only if attempts match).
EXTEND = NOW + """
local row = redis.call('HMGET', KEYS[1], 'status', 'attempts')
if row[1] ~= 'running' then return 0 end
if ARGV[4] ~= '' and row[2] ~= ARGV[4] then return 0 end
local lease_until = now_from(ARGV[2]) + tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'lease_until', tostring(lease_until))
redis.call('ZADD', KEYS[3], 'XX', lease_until, ARGV[1])
redis.call('ZADD', KEYS[4], 'XX', lease_until, ARGV[1])
return 1
"""

# KEYS: pending, counts, the key's pending zset. ARGV: created before (exclusive), job hash prefix.
COALESCE = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[1])
for _, id in ipairs(ids) do
  redis.call('HSET', ARGV[2] .. id, 'status', 'done', 'lease_until', 0)
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[3], id)
end
if #ids > 0 then
  redis.call('HINCRBY', KEYS[2], 'pending', -#ids)
  redis.call('HINCRBY', KEYS[2], 'done', #ids)
end
return #ids
"""

# KEYS: running. ARGV: now, job hash prefix. Returns id, created pairs (the caller orders by creation).
EXPIRED = NOW + """
local now = now_from(ARGV[1])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', tostring(now))
local out = {}
for _, id in ipairs(ids) do
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', ARGV[2] .. id, 'created') or '0'
end
return out
"""
