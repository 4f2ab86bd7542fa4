-- editor_names.lua - compares the editor files with the names the engine
-- gives a script (editors/probe.lua's output). Run by tests/render/editors.sh
-- with the stock Lua 5.4 interpreter:
--
--   lua5.4 editor_names.lua PROBE_OUT LUACHECKRC STUB...
--
-- Prints "ok - ..." / "not ok - ...: what differs" lines:
--   1. the luacheck standard's read-only globals are exactly the probe's;
--   2. every probe global that stock Lua 5.4 does not have (the mix
--      vocabulary) is declared in the stubs, and the stubs' io and os hold
--      exactly the sandbox's fields;
--   3. each handle's fields and methods (and __call as `---@operator call`)
--      are declared in the stubs' class dubstage.HANDLE or a class it
--      extends, and such a class declares no field the engine lacks.
local probe_out, rc_path = arg[1], arg[2]
local stub_paths = { table.unpack(arg, 3) }

local function sorted(set)
  local l = {}
  for k in pairs(set) do l[#l + 1] = k end
  table.sort(l)
  return l
end
local function diff(a, b) -- names in a, not in b
  local l = {}
  for _, k in ipairs(sorted(a)) do if not b[k] then l[#l + 1] = k end end
  return l
end
local function report(name, problems)
  if #problems == 0 then print("ok - " .. name)
  else print("not ok - " .. name .. ": " .. table.concat(problems, "; ")) end
end

-- the probe
local globals, handles = {}, {}
for line in io.lines(probe_out) do
  local kind, a, b = line:match("^(%a+) (%S+) ?(%S*)$")
  if kind == "global" then globals[a] = true
  elseif kind == "field" or kind == "method" then
    handles[a] = handles[a] or { field = {}, method = {} }
    handles[a][kind][b] = true
  end
end

-- 1. the luacheck standard, loaded as luacheck loads it (stds and std as globals)
local env = { stds = {} }
assert(loadfile(rc_path, "t", env))()
local std = env.stds[env.std] or {}
local in_std = {}
for name, def in pairs(std.read_globals or {}) do
  if type(name) == "number" then name, def = def, {} end
  local nfields = 0
  for field in pairs(def.fields or {}) do in_std[name .. "." .. field] = true; nfields = nfields + 1 end
  if nfields == 0 then in_std[name] = true end
end
local problems = {}
for _, n in ipairs(diff(globals, in_std)) do problems[#problems + 1] = "the engine has '" .. n .. "', the standard lacks it" end
for _, n in ipairs(diff(in_std, globals)) do problems[#problems + 1] = "the standard has '" .. n .. "', the engine lacks it" end
if #problems > 0 then problems[#problems + 1] = "run scripts/make-editor-files.sh" end
report("the luacheck standard's globals are the engine's (" .. #sorted(globals) .. " names)", problems)

-- stock Lua 5.4's names, from this interpreter
local stock = {}
for name, value in pairs(_G) do
  if type(value) == "table" and name ~= "_G" then
    for field in pairs(value) do stock[name .. "." .. field] = true end
  else
    stock[name] = true
  end
end

-- the stubs, read as text: classes with their parents, fields, call
-- operators and methods; global functions and tables
local classes, declared = {}, {}
for _, path in ipairs(stub_paths) do
  local class, var_class = nil, {}
  for line in io.lines(path) do
    local c, parent = line:match("^%-%-%-@class ([%w_.]+):? ?([%w_.]*)")
    if c then
      class = c
      classes[c] = classes[c] or { parent = parent ~= "" and parent or nil, field = {}, method = {} }
    elseif class and line:match("^%-%-%-@field ([%w_]+)") then
      classes[class].field[line:match("^%-%-%-@field ([%w_]+)")] = true
    elseif class and line:match("^%-%-%-@operator call") then
      classes[class].method.__call = true
    elseif line:match("^local ([%w_]+) = {}") and class then
      var_class[line:match("^local ([%w_]+) = {}")] = class
      class = nil
    elseif line:match("^function ([%w_]+):([%w_]+)%(") then
      local var, method = line:match("^function ([%w_]+):([%w_]+)%(")
      local owner = var_class[var]
      if owner then classes[owner].method[method] = true end
    elseif line:match("^function ([%w_.]+)%(") then
      declared[line:match("^function ([%w_.]+)%(")] = true
    elseif line:match("^([%w_]+) = {}") then
      declared[line:match("^([%w_]+) = {}")] = true
      class = nil
    elseif not line:match("^%-%-%-") then
      class = nil
    end
  end
end

-- 2. the vocabulary and the sandbox's io and os
problems = {}
for _, n in ipairs(sorted(globals)) do
  if not stock[n] and not declared[n] then problems[#problems + 1] = "'" .. n .. "' is not declared" end
end
for _, lib in ipairs { "io", "os" } do
  if not declared[lib] then problems[#problems + 1] = "no " .. lib .. " table" end
  for _, n in ipairs(sorted(globals)) do
    if n:match("^" .. lib .. "%.") and not declared[n] then problems[#problems + 1] = "'" .. n .. "' is not declared" end
  end
  for _, n in ipairs(sorted(declared)) do
    if n:match("^" .. lib .. "%.") and not globals[n] then
      problems[#problems + 1] = "'" .. n .. "' is declared but the sandbox has none"
    end
  end
end
report("the stubs declare every global of the language and exactly the sandbox's io and os", problems)

-- 3. the handles
local function has(class, kind, name)
  local c = classes[class]
  while c do
    if c[kind][name] then return true end
    c = c.parent and classes[c.parent]
  end
  return false
end
problems = {}
local nnames = 0
for _, h in ipairs(sorted(handles)) do
  local class = "dubstage." .. h
  if not classes[class] then
    problems[#problems + 1] = "no class " .. class
  else
    for _, kind in ipairs { "field", "method" } do
      for _, n in ipairs(sorted(handles[h][kind])) do
        nnames = nnames + 1
        if not has(class, kind, n) then problems[#problems + 1] = class .. " lacks " .. kind .. " '" .. n .. "'" end
      end
    end
    local c = classes[class]
    while c do -- what the stubs promise and the engine does not have
      for _, kind in ipairs { "field", "method" } do
        for _, n in ipairs(sorted(c[kind])) do
          if not handles[h][kind][n] then problems[#problems + 1] = class .. " declares " .. kind .. " '" .. n ..
            "', which the engine's " .. h .. " does not have" end
        end
      end
      c = c.parent and classes[c.parent]
    end
  end
end
report("the stubs declare each handle's fields and methods, and no other (" .. #sorted(handles) .. " handles, " ..
       nnames .. " names)", problems)
