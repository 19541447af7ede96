-- single.lua: what a single-process unikernel cannot do must fail cleanly: no shell, no
-- processes. Prints one line per call: whether it succeeded and its message.
local function show(what, ...) print(what, select("#", ...), ...) end
show("popen", io.popen("echo hi"))
show("popen write", io.popen("cat", "w"))
show("execute()", os.execute())
show("execute", os.execute("true"))
show("execute exit", os.execute("exit 3"))
print("after", 6 * 7)
