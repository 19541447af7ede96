-- core.lua: the language and its pure libraries; the output must be the host lua5.4's, byte for byte.
local function lcg(seed)
  local x = seed
  return function() x = (x * 6364136223846793005 + 1442695040888963407) & 0x7fffffffffffffff; return x end
end

-- Sorting and tables: 20000 pseudo-random integers, then a checksum of their order.
local next_int, t = lcg(42), {}
for i = 1, 20000 do t[i] = next_int() % 100000 end
table.sort(t)
local sum = 0
for i, v in ipairs(t) do sum = (sum * 31 + v * i) % 1000000007 end
print("sort", #t, t[1], t[#t], sum)
table.sort(t, function(a, b) return a > b end)
print("sort desc", t[1], t[20000], table.concat(t, ",", 1, 5))

-- Integers and floats: wraparound, floor division, conversions, formatting.
print(math.maxinteger + 1 == math.mininteger, 7 // 2, -7 // 2, 7 % -3, 7.5 // 2, 2^63, 1e308 * 10, -(0/0) ~= -(0/0))
print(string.format("%.14g %5.2f %e %x %q %s", math.pi, 1 / 3, 12345.678, 255, "a\nb\0c", 1e100))
print(math.tointeger(3.0), math.type(1), math.type(1.0), math.ult(1, -1), 3 | 5, 3 ~ 5, ~0, 1 << 62, 256 >> 4)
print(tostring(0.1 + 0.2), 100000000000000, 2^53 + 1, tonumber("0x1p4"), tonumber("  12  "), tonumber("z", 36))
print(math.floor(-3.5), math.ceil(-3.5), math.fmod(-7, 3), math.abs(math.mininteger), math.sqrt(2), math.exp(1), math.log(8, 2))
print(string.format("%.17g %.17g %.17g", math.sin(1), math.atan(1, 2), math.log(10)))

-- Strings: patterns, gsub with tables and functions, byte/char, rep, pack.
local text = "The quick brown fox jumps over the lazy dog 1234 times, 56.7 each."
print(text:upper(), text:len(), text:match("(%d+)%s+times"), text:match("%d+%.%d+"), text:find("fox"))
print((text:gsub("%w+", function(w) return #w end)))
print((text:gsub("(%w+) (%w+)", "%2 %1", 3)))
print(("hello world"):gsub("o", { o = "0" }), ("abc"):rep(3, "-"), ("%d items"):format(3))
for k, v in string.gmatch("a=1, b=22, c=333", "(%w+)=(%w+)") do io.write(k, ":", v, " ") end
print()
print(string.byte("ABC", 1, -1), string.char(72, 105), ("x"):rep(0) == "", ("abc"):sub(-2), ("[%s]"):format(("  pad  "):match("^%s*(.-)%s*$")))
local packed = string.pack("<i4 d s1 z", -2, 3.25, "hi", "zero")
print(#packed, string.unpack("<i4 d s1 z", packed))
print(utf8.char(72, 228, 8364, 128512), utf8.len("häll€"), utf8.codepoint("€"), #utf8.char(128512))
for p, c in utf8.codes("aé€") do io.write(p, "=", c, " ") end
print()

-- Closures, varargs, metatables, coroutines, goto, error values.
local function counter() local n = 0; return function(k) n = n + (k or 1); return n end end
local c1, c2 = counter(), counter()
c1(); c1(5); c2()
print("closures", c1(), c2(), select("#", nil, nil, 3), select(2, "a", "b", "c"), table.unpack({ 1, 2, 3 }, 2))
local V = {}
V.__index = V
V.__add = function(a, b) return setmetatable({ x = a.x + b.x, y = a.y + b.y }, V) end
V.__tostring = function(v) return "(" .. v.x .. "," .. v.y .. ")" end
V.__eq = function(a, b) return a.x == b.x and a.y == b.y end
V.__lt = function(a, b) return a.x < b.x end
V.__len = function() return 2 end
V.__call = function(v, k) return v.x * k end
local a, b = setmetatable({ x = 1, y = 2 }, V), setmetatable({ x = 3, y = 4 }, V)
print("meta", tostring(a + b), a == b, a < b, #a, a(10), rawequal(a, a), rawlen({ 1, 2 }))
local gen = coroutine.wrap(function(n) for i = 1, n do coroutine.yield(i * i) end return "done" end)
print("coroutine", gen(4), gen(), gen(), gen(), gen())
local co = coroutine.create(function() error({ code = 7 }) end)
local ok, err = coroutine.resume(co)
print("coroutine error", ok, type(err), err.code, coroutine.status(co), coroutine.isyieldable())
for i = 1, 3 do
  for j = 1, 3 do
    if i * j == 4 then goto out end
  end
end
::out::
print("pcall", select(2, pcall(error, "plain")), select(2, pcall(error, "lvl", 0)), select(2, pcall(error)))
print("pcall", pcall(function() local x = nil; return x.y end))
print("xpcall", xpcall(function() error("deep") end, function(m) return "handled: " .. m end))
print("error object", select(2, pcall(error, setmetatable({}, { __tostring = function() return "E!" end }))) ~= nil)
local weak = setmetatable({}, { __mode = "k" })
weak[{}] = 1
collectgarbage()
print("weak", next(weak) == nil, collectgarbage("isrunning"))
local closed = {}
do
  local x <close> = setmetatable({}, { __close = function() closed[#closed + 1] = "x" end })
  local y <const> = 5
  closed[#closed + 1] = "body" .. y
end
print("to-be-closed", table.concat(closed, " "))

-- load, string.dump, environments.
local f = load("local a, b = ...; return a * b + (k or 0)", "chunk", "t", { k = 100 })
print("load", f(6, 7), load(string.dump(function(x) return x * 2 end))(21), load("return 1 +", "=bad"))
print("integers as keys", ({ [1] = "a", [1.0] = "b" })[1], next({}, nil), #{ n = 1 }, table.pack(1, nil, 3).n)
print(table.move({ 1, 2, 3, 4 }, 2, 4, 1)[1], table.remove({ 1, 2, 3 }), table.concat({ 1, 2.5, "x" }, "|"))
print(os.time({ year = 2000, month = 1, day = 1, hour = 12, isdst = false }) - os.time({ year = 2000, month = 1, day = 1, hour = 0, isdst = false }))
print(os.date("!%Y-%m-%d %H:%M:%S %j %a %b", 1700000000), os.date("!*t", 86400 * 365).year, os.difftime(10, 4))
