-- wrk script for `make bench` section 7 (bench/wrk_nginx.py runs it).
--
-- LW_PATHS (environment): request paths separated by spaces. Thread i of wrk requests path i (in
-- rotation when there are more threads than paths), so `-t8 -c8` with 8 paths is 8 scrapers each with
-- its own target and one keep-alive connection. Unset: every thread requests the URL's path.
-- Requests stay static (no request() function): wrk formats each thread's request once.
-- done() prints one line, exact counts and microseconds, for the bench to read.

local paths = {}
for p in string.gmatch(os.getenv("LW_PATHS") or "", "%S+") do
  paths[#paths + 1] = p
end

local threads = 0

function setup(thread)
  if #paths > 0 then
    thread:set("lw_path", paths[(threads % #paths) + 1])
  end
  threads = threads + 1
end

function init(args)
  if lw_path then
    wrk.path = lw_path
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("LW-RESULT requests=%d duration_us=%d p50_us=%.1f p99_us=%.1f "
    .. "connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
