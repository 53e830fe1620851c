-- One benchmark operation for wrk: a request template filled per request.
-- Usage: wrk ... -s bench/lua/op.lua <url> -- <config file written by bench/loadgen.py>
-- Config lines: method=, path=, body=, header=Name: value (repeatable), ids=<file>,
-- pool=<file>, offset=, threads=, tag=, age_min=, age_max=, first_day=<epoch s>, days=.
-- Placeholders (in the path, body and header values): {id} a random seeded record id; {pid}
-- the next id of the PATCH pool (threads take disjoint slices) and {ver} its version, which is
-- 1 + the number of times the pool went round; {uniq} unique per request; {age}; {date}.

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local cfg, headers, ids, pool = {}, {}, {}, {}
counter = 0

local function lines(path)
  local out = {}
  for line in io.lines(path) do out[#out + 1] = line end
  return out
end

function init(args)
  for line in io.lines(args[1]) do
    local k, v = line:match("^([%w_]+)=(.*)$")
    if k == "header" then
      local name, value = v:match("^([^:]+):%s*(.*)$")
      headers[name] = value
    elseif k then
      cfg[k] = v
    end
  end
  if cfg.ids then ids = lines(cfg.ids) end
  if cfg.pool then pool = lines(cfg.pool) end
  cfg.offset, cfg.threads = tonumber(cfg.offset or 0), tonumber(cfg.threads or 1)
  cfg.age_min, cfg.age_max = tonumber(cfg.age_min or 18), tonumber(cfg.age_max or 80)
  cfg.first_day, cfg.days = tonumber(cfg.first_day or 0), tonumber(cfg.days or 1)
  math.randomseed(1000 + tid)
end

local function fill(name)
  if name == "id" then return ids[math.random(#ids)] end
  -- thread t takes offset+t, offset+t+T, ... of the pool, going round when it is used up
  local i = cfg.offset + tid + (counter - 1) * cfg.threads
  if name == "pid" then return pool[(i % #pool) + 1] end
  if name == "ver" then return tostring(1 + math.floor(i / #pool)) end
  if name == "uniq" then return cfg.tag .. "-" .. tid .. "-" .. counter end
  if name == "age" then return tostring(math.random(cfg.age_min, cfg.age_max - 1)) end
  if name == "date" then
    return os.date("!%Y-%m-%d", cfg.first_day + math.random(0, cfg.days - 1) * 86400)
  end
  return "{" .. name .. "}"
end

function request()
  counter = counter + 1
  local path = cfg.path:gsub("{(%w+)}", fill)
  local body = nil
  if cfg.body and cfg.body ~= "" then body = cfg.body:gsub("{(%w+)}", fill) end
  local filled = {}
  for name, value in pairs(headers) do filled[name] = value:gsub("{(%w+)}", fill) end
  return wrk.format(cfg.method, path, filled, body)
end

function done(summary, latency, requests)
  local most = 0
  for _, t in ipairs(threads) do
    local n = tonumber(t:get("counter")) or 0
    if n > most then most = n end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,"timeouts":%d,'
    .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,"generated":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, most * #threads))
end
