-- Headless Neovim test of the margin plugin when the server cannot run:
--   1. `margin` is not on PATH (default cmd);
--   2. `cmd` names a file that does not exist;
--   3. the server exits with an error before `initialize` completes (counted spawns).
-- Each shows one error that names the `cmd` option, and nothing is started again and again
-- while buffers are opened; :MarginRestart tries once more.
--
--   nvim --headless --clean -l tests/clients/nvim/bad_input.lua
--
-- Trace: target/client-traces/nvim/bad-input-lsp.log (Neovim's LSP log).

local root = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h:h:h')
local trace_dir = root .. '/target/client-traces/nvim'
vim.fn.mkdir(trace_dir, 'p')
local lsp_log = trace_dir .. '/bad-input-lsp.log'
os.remove(lsp_log)
vim.lsp.log._set_filename(lsp_log)
vim.lsp.log.set_level('debug')
vim.opt.runtimepath:prepend(root .. '/editors/nvim')

local failures = {}
local current = '?'
local function check(cond, msg)
  if not cond then
    msg = ('[%s] %s'):format(current, msg)
    table.insert(failures, msg)
    io.stderr:write('FAIL ' .. msg .. '\n')
  end
  return cond
end

local notes = {}
vim.notify = function(msg, level)
  table.insert(notes, { msg = msg, level = level or vim.log.levels.INFO })
  io.stdout:write(('notify[%s]: %s\n'):format(level or 'info', msg))
end
local function errors()
  return vim.tbl_filter(function(n)
    return n.level >= vim.log.levels.ERROR
  end, notes)
end

local work = vim.fn.tempname()
vim.fn.mkdir(work, 'p')
local n_files = 0
local function open_markdown()
  n_files = n_files + 1
  local path = ('%s/doc%d.md'):format(work, n_files)
  vim.fn.writefile({ '# Doc', '', 'Some text.' }, path)
  vim.cmd.edit(vim.fn.fnameescape(path))
  vim.wait(200) -- let scheduled starts run
end

local function scenario(name, opts, wants)
  current = name
  io.stdout:write(('--- %s\n'):format(name))
  notes = {}
  vim.cmd('silent! %bwipeout!')
  require('margin').setup(opts)
  for _ = 1, 3 do
    open_markdown()
  end
  vim.wait(wants.settle or 300)
  local errs = errors()
  check(#errs == 1, ('want one error, got %d: %s'):format(#errs, vim.inspect(notes)))
  if errs[1] then
    check(errs[1].msg:find('`cmd`', 1, true), 'the error does not name the `cmd` option: ' .. errs[1].msg)
    check(errs[1].msg:find(wants.says, 1, true), ('the error does not say %q: %s'):format(wants.says, errs[1].msg))
  end
  local running = vim.tbl_filter(function(c)
    return not c:is_stopped()
  end, vim.lsp.get_clients({ name = 'margin' }))
  check(#running == 0, ('%d margin clients running'):format(#running))

  -- :MarginStatus says why margin is not running.
  local before = #notes
  vim.cmd('MarginStatus')
  check(#notes == before + 1 and notes[#notes].msg:find('`cmd`', 1, true), ':MarginStatus: ' .. vim.inspect(notes[#notes]))
end

-- 1. Not on PATH.
local path = vim.env.PATH
vim.env.PATH = work .. '/empty-bin'
scenario('not on PATH', {}, { says = 'not found on PATH' })
vim.env.PATH = path

-- 2. A wrong path.
scenario('missing file', { cmd = { '/nonexistent/margin', 'serve' } }, { says = '/nonexistent/margin' })

-- 3. Crashes at start: spawned once for three buffers; :MarginRestart spawns once more.
local crasher, counter = work .. '/margin-crash', work .. '/spawns'
vim.fn.writefile({
  '#!/bin/sh',
  ('echo spawn >> %s'):format(vim.fn.shellescape(counter)),
  'echo "margin: failed to start" >&2',
  'exit 3',
}, crasher)
vim.fn.setfperm(crasher, 'rwxr-xr-x')
local function spawns()
  return vim.fn.filereadable(counter) == 1 and #vim.fn.readfile(counter) or 0
end
scenario('crash at start', { cmd = { crasher, 'serve' } }, { says = 'exited with code 3', settle = 1500 })
check(spawns() == 1, ('spawned %d times for three buffers'):format(spawns()))
current = 'crash at start: :MarginRestart'
notes = {}
vim.cmd('MarginRestart')
vim.wait(1500)
check(spawns() == 2, ('after :MarginRestart: spawned %d times in all'):format(spawns()))
check(#errors() == 1, ('after :MarginRestart: %d errors: %s'):format(#errors(), vim.inspect(notes)))

vim.fn.delete(work, 'rf')
if #failures > 0 then
  io.stderr:write(('nvim bad input: %d check(s) failed; trace: %s\n'):format(#failures, lsp_log))
  os.exit(1)
end
io.stdout:write('nvim bad input: ok (not on PATH, missing file, crash at start)\n')
os.exit(0)
