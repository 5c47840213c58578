-- wrk script for Benchmarks/run: every request is made as a random signed-in user of a random
-- seeded organisation. wrk runs LuaJIT (Lua 5.1); each wrk thread has its own Lua state, so
-- each thread reads the data file itself in init().
--
-- Environment:
--   BENCH_DATA  the data file Benchmarks/seed/org.sql printed (lines "O …" and "U …")
--   BENCH_KIND  only this kind of request (e.g. dashboard); default: the mix below
--   BENCH_ORGS  use only the first N organisations of the file (0 or unset: all)
--   BENCH_MIX   api (default), pages or api_reads
--
-- The api mix (per 100 requests): 40 dashboard, 15 goal list, 15 goal list filtered by status,
-- 15 goal detail, 5 my tasks, 10 new check-in.
-- The pages mix (issue 17), as a browser with the session cookie: 40 the role's home
-- (management /overview, lead /next-actions, staff /my-work), 30 /goals, 15 one goal's page,
-- 15 /procurements. api_reads: the same reads through the API (the home as the dashboard, or
-- staff's own tasks; the goal list, one goal, the procurements). done() prints one line
--   BENCH_RESULT {json}
-- with requests/s, latency percentiles (ms) and the count of non-2xx answers by status.

local data_file = os.getenv("BENCH_DATA") or error("set BENCH_DATA")
local only_kind = os.getenv("BENCH_KIND")
if only_kind == "" then only_kind = nil end
local org_limit = tonumber(os.getenv("BENCH_ORGS") or "0") or 0

local mix = os.getenv("BENCH_MIX") or "api"
if mix == "" then mix = "api" end
local kinds, weights
if mix == "api" then
    kinds = { "dashboard", "goals", "goals_filtered", "goal", "tasks", "checkin" }
    weights = { 40, 15, 15, 15, 5, 10 }
elseif mix == "pages" then
    kinds = { "page_home", "page_goals", "page_goal", "page_procurements" }
    weights = { 40, 30, 15, 15 }
elseif mix == "api_reads" then
    kinds = { "read_home", "goals", "goal", "procurements" }
    weights = { 40, 30, 15, 15 }
else
    error("unknown BENCH_MIX " .. mix)
end
local statuses = { "idea", "shortlisted", "scheduled" }
local known = {}
for _, kind in ipairs(kinds) do known[kind] = true end
if only_kind and not known[only_kind] then error("unknown BENCH_KIND " .. only_kind) end

local function split(text, separator)
    local parts = {}
    if text == nil or text == "" then return parts end
    for part in string.gmatch(text, "[^" .. separator .. "]+") do parts[#parts + 1] = part end
    return parts
end

-- Runs in the main Lua state once per thread: number the threads (for distinct random seeds)
-- and keep them, so done() can add up their counters.
local threads = {}
function setup(thread)
    thread:set("thread_number", #threads + 1)
    threads[#threads + 1] = thread
end

local users = {}
-- Globals, not locals: done() reads them from each thread's Lua state with thread:get.
non2xx = 0
by_status = {}

function init(args)
    math.randomseed(os.time() * 100 + (thread_number or 0))
    local orgs_by_slug, org_count = {}, 0
    local file = assert(io.open(data_file, "r"))
    for line in file:lines() do
        local f = split(line, " ")
        if f[1] == "O" and (org_limit == 0 or org_count < org_limit) then
            org_count = org_count + 1
            orgs_by_slug[f[2]] = { base = "/api/v1/orgs/" .. f[2], goals = split(f[3], ","), scheduled = split(f[4], ",") }
        elseif f[1] == "U" and orgs_by_slug[f[2]] then
            local org = orgs_by_slug[f[2]]
            local checkin = (f[5] == "*") and org.scheduled or split(f[5], ",")
            users[#users + 1] = { org = org, authorization = "Bearer " .. f[3], cookie = "luotsi_session=" .. f[3], role = f[4],
                                  checkin = checkin }
        end
    end
    file:close()
    if #users == 0 then error("no users in " .. data_file) end
end

local function pick_kind()
    if only_kind then return only_kind end
    local roll = math.random(100)
    for i, weight in ipairs(weights) do
        if roll <= weight then return kinds[i] end
        roll = roll - weight
    end
    return kinds[#kinds]
end

local function pick(list) return list[math.random(#list)] end

-- Each role's home page, where signing in lands.
local homes = { management = "/overview", lead = "/next-actions", staff = "/my-work" }

function request()
    local user = users[math.random(#users)]
    local org = user.org
    local kind = pick_kind()
    local headers = { ["Authorization"] = user.authorization }
    if string.sub(kind, 1, 5) == "page_" then
        headers = { ["Cookie"] = user.cookie, ["Accept"] = "text/html" }
        if kind == "page_home" then
            return wrk.format("GET", homes[user.role] or "/goals", headers)
        elseif kind == "page_goals" then
            return wrk.format("GET", "/goals", headers)
        elseif kind == "page_goal" then
            return wrk.format("GET", "/goals/" .. pick(org.goals), headers)
        else
            return wrk.format("GET", "/procurements", headers)
        end
    elseif kind == "read_home" then
        if user.role == "staff" then return wrk.format("GET", org.base .. "/tasks?assignee=me", headers) end
        return wrk.format("GET", org.base .. "/dashboard", headers)
    elseif kind == "procurements" then
        return wrk.format("GET", org.base .. "/procurements", headers)
    elseif kind == "dashboard" then
        return wrk.format("GET", org.base .. "/dashboard", headers)
    elseif kind == "goals" then
        return wrk.format("GET", org.base .. "/goals", headers)
    elseif kind == "goals_filtered" then
        return wrk.format("GET", org.base .. "/goals?status=" .. pick(statuses), headers)
    elseif kind == "goal" then
        return wrk.format("GET", org.base .. "/goals/" .. pick(org.goals), headers)
    elseif kind == "tasks" then
        return wrk.format("GET", org.base .. "/tasks?assignee=me", headers)
    else -- checkin: on a scheduled goal this user may follow up
        headers["Content-Type"] = "application/json"
        local body = '{"status":"on_track","attainment":' .. math.random(0, 100) .. ',"comment":"wrk check-in"}'
        return wrk.format("POST", org.base .. "/goals/" .. pick(user.checkin) .. "/checkins", headers, body)
    end
end

function response(status, headers, body)
    if status < 200 or status > 299 then
        non2xx = non2xx + 1
        by_status[status] = (by_status[status] or 0) + 1
    end
end

function done(summary, latency, requests)
    local total_non2xx, merged = 0, {}
    for _, thread in ipairs(threads) do
        total_non2xx = total_non2xx + (thread:get("non2xx") or 0)
        local counts = thread:get("by_status")
        if type(counts) == "table" then
            for status, count in pairs(counts) do merged[status] = (merged[status] or 0) + count end
        end
    end
    local parts = {}
    for status, count in pairs(merged) do parts[#parts + 1] = string.format('"%s":%d', tostring(status), count) end
    local errors = summary.errors
    local seconds = summary.duration / 1e6
    io.write(string.format(
        'BENCH_RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,'
            .. '"non2xx":%d,"non2xx_by_status":{%s},"socket_errors":%d}\n',
        summary.requests, seconds, summary.requests / seconds,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
        total_non2xx, table.concat(parts, ","),
        errors.connect + errors.read + errors.write + errors.timeout))
end
