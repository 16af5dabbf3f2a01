-- wrk script shared by bench/run.py and bench/loadtest.py.
--
-- Arguments after `--`: PATHS_FILE MODE THREADS
--   PATHS_FILE  one request path per line
--   MODE        "rotate": every connection cycles through the paths;
--               "once":   each path is requested once in all (threads take disjoint slices),
--                         then the thread stops, so that no page is ever served twice (cold run)
--   THREADS     wrk's -t, to slice the paths between threads in "once" mode
-- Prints one line "WRK_JSON {...}" with the summary, latency percentiles and status counts.

local threads = {}

-- A wall clock in microseconds (wrk runs LuaJIT): a "once" run that ran out of paths early
-- reports its real span, since wrk itself always divides by the full --duration.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local timespec = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC
  return tonumber(timespec.tv_sec) * 1000000 + tonumber(timespec.tv_nsec) / 1000
end

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads - 1)
end

function init(args)
  local paths = {}
  for line in io.lines(args[1]) do
    if line ~= "" then
      table.insert(paths, line)
    end
  end
  mode = args[2] or "rotate"
  local thread_count = tonumber(args[3] or "1")
  -- As the TLS-terminating proxy in front of gunicorn sets it in production.
  wrk.headers["X-Forwarded-Proto"] = "https"
  requests = {}
  for index, path in ipairs(paths) do
    -- In "once" mode a thread keeps only its own slice of the paths.
    if mode ~= "once" or (index - 1) % thread_count == thread_number then
      table.insert(requests, wrk.format("GET", path))
    end
  end
  -- Threads start at different points so that rotating threads do not march in step.
  position = (thread_number * 7919) % #requests
  if mode == "once" then
    position = 0
  end
  sent = 0
  statuses = {}
  first_request_us = 0
  last_response_us = 0
  exhausted = 0
end

function request()
  if first_request_us == 0 then
    first_request_us = now_us()
  end
  position = position + 1
  if position > #requests then
    if mode == "once" then
      -- Every path of this thread has been served once: stop rather than serve a warm repeat.
      exhausted = 1
      wrk.thread:stop()
    end
    position = 1
  end
  sent = sent + 1
  return requests[position]
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  last_response_us = now_us()
end

function done(summary, latency, requests_summary)
  local status_counts = {}
  local first, last, exhausted_threads = nil, 0, 0
  for _, thread in ipairs(threads) do
    local started = thread:get("first_request_us")
    if started and started > 0 and (first == nil or started < first) then
      first = started
    end
    last = math.max(last, thread:get("last_response_us") or 0)
    exhausted_threads = exhausted_threads + (thread:get("exhausted") or 0)
    local counts = thread:get("statuses")
    if counts then
      for code, count in pairs(counts) do
        status_counts[code] = (status_counts[code] or 0) + count
      end
    end
  end
  local parts = {}
  for code, count in pairs(status_counts) do
    table.insert(parts, string.format('"%s": %d', code, count))
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "max": %d}, ' ..
    '"statuses": {%s}, "span_us": %d, "exhausted_threads": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, table.concat(parts, ", "),
    first and (last - first) or 0, exhausted_threads))
end
