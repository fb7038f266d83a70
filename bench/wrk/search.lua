-- GET /api/v1/persons?q=… with a mix of what a caseworker types: full ID numbers, phone numbers,
-- full names and a surname with one given character (from queries.txt, one per line).
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
  return wrk.format("GET", "/api/v1/persons?q=" .. encode(q), { ["Authorization"] = "Bearer " .. token })
end
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "percentiles.lua")
