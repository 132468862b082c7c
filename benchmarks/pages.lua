-- wrk script for benchmarks/pages.py: GET one page, as a visitor or with session cookies (one a
-- line: each request takes the next, so several people take turns); count the answers by status
-- and their bytes, so a redirect to the login page or a 404 shows.
local cookies = {}
for line in string.gmatch(os.getenv("PIVOTAL_BENCH_COOKIE") or "", "[^\n]+") do
  table.insert(cookies, line)
end
local path = os.getenv("PIVOTAL_BENCH_PATH") or "/"
local turn = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  bytes = 0
end

request = function()
  if #cookies == 0 then
    return wrk.format("GET", path, {})
  end
  turn = turn % #cookies + 1
  return wrk.format("GET", path, {["Cookie"] = cookies[turn]})
end

response = function(status, hdrs, body)
  statuses[status] = (statuses[status] or 0) + 1
  bytes = bytes + #body
end

done = function(summary, latency, requests)
  local merged, total_bytes = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      merged[status] = (merged[status] or 0) + n
    end
    total_bytes = total_bytes + thread:get("bytes")
  end
  local parts = {}
  for status, n in pairs(merged) do
    table.insert(parts, string.format("\"%d\": %d", status, n))
  end
  io.write(string.format("JSON {\"requests\": %d, \"duration_s\": %.3f, \"rps\": %.1f, ",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
  io.write(string.format("\"errors\": %d, \"statuses\": {%s}, \"body_bytes\": %d, ",
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ", "), total_bytes))
  io.write(string.format("\"latency_ms\": {\"median\": %.2f, \"p90\": %.2f, \"p99\": %.2f, \"max\": %.2f}}\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
