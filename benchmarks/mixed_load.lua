-- wrk script for benchmarks/mixed_load.py: 75 % project page, 20 % need page, 5 % posts.
-- Posts are comments through the API on a separate need, so the measured pages keep their size.
local token = os.getenv("PIVOTAL_BENCH_TOKEN")
local project = os.getenv("PIVOTAL_BENCH_PROJECT")
local need = os.getenv("PIVOTAL_BENCH_NEED")
local target = os.getenv("PIVOTAL_BENCH_POST_NEED")
local think_ms = tonumber(os.getenv("PIVOTAL_BENCH_THINK_MS") or "0")
local counter = 0

function setup(thread)
  thread:set("id", math.random(1000000))
end

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
  local r = math.random(100)
  if r <= 75 then
    return wrk.format("GET", "/projects/" .. project)
  elseif r <= 95 then
    return wrk.format("GET", "/needs/" .. need)
  end
  counter = counter + 1
  local body = '{"body": "Kommentar fra lasttesten nr. ' .. counter .. '"}'
  return wrk.format("POST", "/api/v1/needs/" .. target .. "/comments",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  io.write(string.format("JSON {\"requests\": %d, \"duration_s\": %.2f, \"rps\": %.1f, ",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
  io.write(string.format("\"errors\": %d, \"latency_ms\": {\"median\": %.2f, \"p90\": %.2f, \"p95\": %.2f, \"p99\": %.2f, \"max\": %.2f}}\n",
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
