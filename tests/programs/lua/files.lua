-- files.lua: io and os on host files, run in a scratch directory; the output must be the host
-- lua5.4's. Failing calls print their message only (errno numbers are the C library's own).
local function try(...) local ok, msg = ...; return ok, msg end

-- Write, read back with every format, seek.
local f = assert(io.open("data.txt", "w"))
f:write("first line\n", 42, " ", 3.5, "\n", "0x10 rest\n", "no newline at end")
print("write", f:seek("cur"), f:seek("end"), f:close(), io.type(f))
f = assert(io.open("data.txt", "r"))
print("read l", f:read("l"))
print("read n n", f:read("n", "n"))
print("read L", f:read("L"))
print("read n", f:read("n"), f:read("l"))
print("read a", f:read("a"), f:read("a"), f:read("l"))
print("seek", f:seek("set", 6), f:read(4), f:seek("cur", -4), f:read(1), f:seek("end", -3), f:read("a"))
f:close()
print("closed", pcall(f.read, f), io.type(f))
local n = 0
for line in io.lines("data.txt") do n = n + #line end
print("lines", n)
for a, b in io.lines("data.txt", 5, "n") do print("lines 5 n", a, b) break end

-- Append, update, truncate by reopening with "w".
f = assert(io.open("data.txt", "a")); f:write("+appended"); f:close()
f = assert(io.open("data.txt", "r+")); f:write("FIRST"); f:seek("set", 0); print("r+", f:read("l")); f:close()
f = assert(io.open("data.txt")); local all = f:read("a"); f:close()
print("append", #all, all:sub(-12))
f = assert(io.open("data.txt", "w")); f:close()
f = assert(io.open("data.txt", "rb")); print("truncated", f:read("a") == "", f:read(0)); f:close()

-- Buffering modes and a larger file.
f = assert(io.open("big.bin", "wb"))
print("setvbuf", f:setvbuf("full", 8192))
for i = 1, 2000 do f:write(string.pack("<i8", i * i)) end
f:flush()
print("size", f:seek("end"))
f:close()
f = assert(io.open("big.bin", "rb"))
f:seek("set", 8 * 1234)
print("record", string.unpack("<i8", f:read(8)), #f:read("a"))
f:close()

-- rename, remove, and their errors.
print("rename", os.rename("big.bin", "moved.bin"))
print("old gone", try(io.open("big.bin")))
print("new there", io.open("moved.bin") ~= nil)
f = assert(io.open("other.txt", "w")); f:write("other"); f:close()
print("rename over", os.rename("other.txt", "moved.bin"))
f = assert(io.open("moved.bin")); print("replaced", f:read("a")); f:close()
print("rename missing", try(os.rename("nothere", "x")))
print("remove", os.remove("moved.bin"))
print("remove again", try(os.remove("moved.bin")))
print("remove empty dir", os.remove("emptydir"))
print("remove full dir", (os.remove("fulldir")))
print("open dir for writing", try(io.open("fulldir", "w")))
print("open missing", try(io.open("no/such/file")))
print("bad mode", pcall(io.open, "data.txt", "rw"))

-- Temporary files.
local name = os.tmpname()
print("tmpname", type(name), #name > 0)
f = assert(io.open(name, "w")); f:write("tmp"); f:close()
print("tmpname remove", os.remove(name))
local t = io.tmpfile()
t:write("scratch ", 123)
t:seek("set")
print("tmpfile", io.type(t), t:read("a"))
t:close()

-- stdin, stdout, stderr, io.output redirection.
print("stdin", io.read("n", "l", "l"))
print("stdin rest", io.read("a"))
print("stdin eof", io.read("l"), io.read(0))
io.output("out.txt"); io.write("redirected"); io.close(); io.output(io.stdout)
f = assert(io.open("out.txt")); print("output", f:read("a")); f:close()
io.stderr:write("to stderr\n")
io.stdout:setvbuf("no")
print("done")
os.exit(3)
