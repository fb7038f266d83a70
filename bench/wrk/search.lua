-- GET /api/v1/persons?q=… with a mix of what a caseworker types: full ID numbers, phone numbers,
-- full names and a surname with one given character (from queries.txt, one per line). YZ_LIMIT,
-- if set, asks for that many results at most (the search page asks for 50).
local qs = {}
local token = os.getenv("YZ_TOKEN")
function init(args)
  for line in io.lines(os.getenv("YZ_QUERIES")) do qs[#qs + 1] = line end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
end
local function encode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
function request()
  local q = qs[math.random(#qs)]
  local limit = os.getenv("YZ_LIMIT")
  local path = "/api/v1/persons?q=" .. encode(q) .. (limit and ("&limit=" .. limit) or "")
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "percentiles.lua")
