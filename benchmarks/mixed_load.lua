-- wrk script for benchmarks/mixed_load.py: 75 % project page, 20 % need page, 5 % posts.
-- Posts are comments through the API on a separate need, so the measured pages keep their size.
-- Each request carries an X-Request-ID (the app sends it back), so reads and writes are timed
-- apart: wrk's own latency histogram mixes them.
local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } pivotal_timespec;
  int clock_gettime(int clock, pivotal_timespec *tp);
]]
local now_ts = ffi.new("pivotal_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, now_ts)  -- CLOCK_MONOTONIC
  return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
end

local token = os.getenv("PIVOTAL_BENCH_TOKEN")
local project = os.getenv("PIVOTAL_BENCH_PROJECT")
local need = os.getenv("PIVOTAL_BENCH_NEED")
local target = os.getenv("PIVOTAL_BENCH_POST_NEED")
local think_ms = tonumber(os.getenv("PIVOTAL_BENCH_THINK_MS") or "0")
local counter = 0
local threads = {}
local first_ms = nil

function setup(thread)
  thread:set("id", math.random(1000000))
  table.insert(threads, thread)
end

-- Per thread: start time and kind of each request in flight, and the answered ones' latencies.
started = {}
kinds = {}
read_ms = {}
write_ms = {}
read_status = {}
write_status = {}
slow_writes_at_s = {}  -- when (seconds into the run) each write over 2 s was sent

function init(args)
  math.randomseed(os.time() + (id or 0))
end

-- A user's pause between one answer and the next request: exponential, mean think_ms (0: none).
if think_ms > 0 then
  delay = function()
    return math.floor(-think_ms * math.log(1 - math.random()))
  end
end

request = function()
  counter = counter + 1
  first_ms = first_ms or now_ms()
  local rid = "b" .. id .. "x" .. counter
  started[rid] = now_ms()
  local r = math.random(100)
  if r <= 95 then
    kinds[rid] = "r"
    local path = r <= 75 and ("/projects/" .. project) or ("/needs/" .. need)
    return wrk.format("GET", path, {["X-Request-ID"] = rid})
  end
  kinds[rid] = "w"
  local body = '{"body": "Kommentar fra lasttesten nr. ' .. counter .. '"}'
  return wrk.format("POST", "/api/v1/needs/" .. target .. "/comments",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token,
     ["X-Request-ID"] = rid}, body)
end

response = function(status, headers, body)
  local rid = headers["x-request-id"] or headers["X-Request-ID"]
  local t0 = rid and started[rid]
  if not t0 then return end
  local elapsed = now_ms() - t0
  if kinds[rid] == "w" then
    table.insert(write_ms, elapsed)
    if elapsed > 2000 then
      table.insert(slow_writes_at_s, math.floor((t0 - first_ms) / 100) / 10)
    end
    write_status[status] = (write_status[status] or 0) + 1
  else
    table.insert(read_ms, elapsed)
    read_status[status] = (read_status[status] or 0) + 1
  end
  started[rid] = nil
  kinds[rid] = nil
end

local function summary_of(values, statuses, unanswered)
  table.sort(values)
  local n = #values
  local function pct(p)
    if n == 0 then return 0 end
    return values[math.max(1, math.ceil(n * p / 100))]
  end
  local over = 0
  for i = 1, n do if values[i] > 2000 then over = over + 1 end end
  local parts = {}
  for status, count in pairs(statuses) do
    table.insert(parts, string.format("\"%d\": %d", status, count))
  end
  return string.format(
    "{\"count\": %d, \"unanswered\": %d, \"over_2s\": %d, \"p50_ms\": %.1f, \"p99_ms\": %.1f, " ..
    "\"max_ms\": %.1f, \"statuses\": {%s}}",
    n, unanswered, over, pct(50), pct(99), n > 0 and values[n] or 0, table.concat(parts, ", "))
end

done = function(summary, latency, requests)
  local reads, writes, rs, ws = {}, {}, {}, {}
  local r_open, w_open = 0, 0
  local slow = {}
  for _, thread in ipairs(threads) do
    for _, v in ipairs(thread:get("read_ms")) do table.insert(reads, v) end
    for _, v in ipairs(thread:get("write_ms")) do table.insert(writes, v) end
    for k, v in pairs(thread:get("read_status")) do rs[k] = (rs[k] or 0) + v end
    for k, v in pairs(thread:get("write_status")) do ws[k] = (ws[k] or 0) + v end
    for _, v in ipairs(thread:get("slow_writes_at_s")) do table.insert(slow, v) end
    for _, kind in pairs(thread:get("kinds")) do
      if kind == "w" then w_open = w_open + 1 else r_open = r_open + 1 end
    end
  end
  io.write(string.format("JSON {\"requests\": %d, \"duration_s\": %.2f, \"rps\": %.1f, ",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
  io.write(string.format("\"errors\": %d, \"latency_ms\": {\"median\": %.2f, \"p90\": %.2f, \"p95\": %.2f, \"p99\": %.2f, \"max\": %.2f}, ",
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
  table.sort(slow)
  io.write(string.format("\"reads\": %s, \"writes\": %s, \"slow_writes_at_s\": [%s]}\n",
    summary_of(reads, rs, r_open), summary_of(writes, ws, w_open), table.concat(slow, ", ")))
end
