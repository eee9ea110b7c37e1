-- Headless Neovim test of the margin plugin (editors/nvim) against the real server and model.
--
--   MARGIN_BIN=... MARGIN_TEST_MODEL=... nvim --headless --clean -l tests/clients/nvim/plugin.lua
--
-- Loads editors/nvim as a plugin, calls require('margin').setup() the way the README does
-- (the server is found on PATH), next to a second (fake, in-process) language server on the
-- same filetype, then: opens a Markdown file with a mistake SmolLM2 fixes, waits for margin's
-- diagnostic, applies the fix with vim.lsp.buf.code_action({ apply = true, filter = ... }),
-- checks the buffer text, runs :MarginStatus, asks for a hover translation of a German
-- paragraph and for a completion in a Python file, runs :MarginRestart, and checks that every
-- margin server exited cleanly (code 0, no signal).
-- MARGIN_NVIM_LSP_START=1 runs the same through the plugin's vim.lsp.start path (Neovim 0.10's).
-- Traces: target/client-traces/nvim/plugin-<variant>-lsp.log (Neovim's LSP log),
-- target/client-traces/nvim/plugin-<variant>-server.jsonl (MARGIN_TRACE_FILE).

local root = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h:h:h')
local bin = os.getenv('MARGIN_BIN') or 'target/debug/margin'
if bin:sub(1, 1) ~= '/' then
  bin = root .. '/' .. bin
end
local model = os.getenv('MARGIN_TEST_MODEL')

local trace_dir = root .. '/target/client-traces/nvim'
vim.fn.mkdir(trace_dir, 'p')
-- MARGIN_NVIM_LSP_START=1: the plugin's vim.lsp.start path (Neovim 0.10's) instead of
-- vim.lsp.config + vim.lsp.enable.
local variant = os.getenv('MARGIN_NVIM_LSP_START') == '1' and 'lsp-start' or 'lsp-enable'
vim.g.margin_use_lsp_start = variant == 'lsp-start'
local lsp_log = ('%s/plugin-%s-lsp.log'):format(trace_dir, variant)
local server_trace = ('%s/plugin-%s-server.jsonl'):format(trace_dir, variant)
os.remove(lsp_log)
os.remove(server_trace)
vim.lsp.log._set_filename(lsp_log) -- private in 0.11, but the Neovim version is pinned
vim.lsp.log.set_level('debug')

local TIMEOUT = 90000 -- a first check with one thread takes a few seconds; leave room
local failures = {}
local current = 'setup'
local function fail(msg)
  msg = ('[%s] %s'):format(current, msg)
  table.insert(failures, msg)
  io.stderr:write('FAIL ' .. msg .. '\n')
end
local function check(cond, msg)
  if not cond then
    fail(msg)
  end
  return cond
end
local function step(name)
  current = name
  io.stdout:write(('--- %s\n'):format(name))
end

-- Record notifications (the plugin's and Neovim's).
local notes = {}
vim.notify = function(msg, level)
  table.insert(notes, { msg = msg, level = level or vim.log.levels.INFO })
  io.stdout:write(('notify[%s]: %s\n'):format(level or 'info', msg))
end

-- Settings problems the server reports (window/showMessage) are failures too.
local server_messages = {}
local show_message = vim.lsp.handlers['window/showMessage']
vim.lsp.handlers['window/showMessage'] = function(err, result, ctx, config)
  table.insert(server_messages, result)
  return show_message(err, result, ctx, config)
end

if not model then
  io.stderr:write('FAIL MARGIN_TEST_MODEL is not set (scripts/test sets it)\n')
  os.exit(1)
end
if vim.fn.executable(bin) ~= 1 then
  io.stderr:write('FAIL margin binary not found or not executable: ' .. bin .. '\n')
  os.exit(1)
end

-- The documented setup finds `margin` on PATH.
vim.env.PATH = vim.fs.dirname(bin) .. ':' .. vim.env.PATH
vim.opt.runtimepath:prepend(root .. '/editors/nvim')

local work = vim.fn.tempname()
vim.fn.mkdir(work, 'p')

-- A second language server on Markdown (in-process, fake): margin must work next to it.
local other = { requests = {} }
local function fake_server(dispatchers)
  local closing, id = false, 0
  local srv = {}
  function srv.request(method, params, callback, notify_reply)
    id = id + 1
    local my = id
    table.insert(other.requests, method)
    vim.schedule(function()
      local result = vim.NIL
      if method == 'initialize' then
        result = {
          capabilities = { textDocumentSync = 1, codeActionProvider = true, hoverProvider = true },
          serverInfo = { name = 'other' },
        }
      elseif method == 'textDocument/codeAction' then
        result = { { title = 'Other: sort the list', kind = 'refactor', command = { title = 'Sort', command = 'other.sort' } } }
      elseif method == 'textDocument/hover' then
        result = { contents = { kind = 'markdown', value = 'other hover' } }
      end
      callback(nil, result)
      if notify_reply then
        notify_reply(my)
      end
    end)
    return true, my
  end
  function srv.notify(method, params)
    if method == 'textDocument/didOpen' then
      vim.schedule(function()
        dispatchers.notification('textDocument/publishDiagnostics', {
          uri = params.textDocument.uri,
          diagnostics = {
            {
              range = { start = { line = 2, character = 0 }, ['end'] = { line = 2, character = 3 } },
              message = 'other: a note from the other server',
              source = 'other',
              severity = 4,
            },
          },
        })
      end)
    elseif method == 'exit' then
      closing = true
      vim.schedule(function()
        dispatchers.on_exit(0, 0)
      end)
    end
    return true
  end
  function srv.is_closing()
    return closing
  end
  function srv.terminate()
    closing = true
  end
  return srv
end
vim.lsp.config('other', { cmd = fake_server, filetypes = { 'markdown' }, root_markers = { '.git' } })
vim.lsp.enable('other')

-- The plugin, configured as the README shows, plus test settings and trace env.
-- Every margin server must exit cleanly (code 0, no signal) when stopped.
local exits = {}
require('margin').setup({
  settings = { model = model, threads = 1, debounceMs = 50, readingLanguage = 'en' },
  on_exit = function(code, signal, client_id) -- passed on to the client config by the plugin
    table.insert(exits, { code = code, signal = signal, id = client_id })
  end,
  cmd_env = {
    MARGIN_TRACE_FILE = server_trace,
    MARGIN_CACHE_DIR = work .. '/cache',
    MARGIN_CONFIG = work .. '/no-config.toml',
    MARGIN_LOG = os.getenv('MARGIN_LOG') or 'info',
  },
})

local function margin_client(buf)
  return vim.lsp.get_clients({ name = 'margin', bufnr = buf })[1]
end

local function wait_client(buf, name, not_id)
  local c
  vim.wait(20000, function()
    c = vim.lsp.get_clients({ name = name, bufnr = buf })[1]
    return c ~= nil and c.initialized and c.id ~= not_id
  end, 20)
  if c and c.initialized and c.id ~= not_id then
    return c
  end
end

local function open(name, lines)
  local path = work .. '/' .. name
  vim.fn.writefile(lines, path)
  vim.cmd.edit(vim.fn.fnameescape(path))
  return vim.api.nvim_get_current_buf()
end

local function text(buf)
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, true), '\n')
end

local function margin_diagnostic(buf, word)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.source == 'margin' and d.message:find(("'%s' →"):format(word), 1, true) then
      return d
    end
  end
end

local ok, err = pcall(function()
  -- 1. Diagnostic, next to another server -------------------------------------------------------
  step('diagnostic')
  local NOTES = {
    '# Notes',
    '',
    'I has a question about the homework.',
    '',
    'The weather is nice today.',
  }
  local buf = open('notes.md', NOTES)
  check(vim.bo[buf].filetype == 'markdown', 'filetype markdown')
  local client = wait_client(buf, 'margin')
  if not check(client, 'margin did not attach and initialize') then
    return
  end
  check(wait_client(buf, 'other'), 'the other server did not attach')
  check(client.offset_encoding == 'utf-8', 'offset encoding ' .. tostring(client.offset_encoding))
  local d
  vim.wait(TIMEOUT, function()
    d = margin_diagnostic(buf, 'has')
    return d ~= nil
  end, 50)
  if not check(d, "no margin diagnostic on 'has': " .. vim.inspect(vim.diagnostic.get(buf))) then
    return
  end
  check(
    vim.iter(vim.diagnostic.get(buf)):any(function(x)
      return x.source == 'other'
    end),
    "the other server's diagnostic is missing"
  )

  -- 2. The quick fix through vim.lsp.buf.code_action ---------------------------------------------
  step('code action')
  vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
  local offered = {}
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(a)
      table.insert(offered, a.title)
      return a.isPreferred == true and a.title:find("'has'", 1, true) ~= nil
    end,
  })
  local want = table.concat(NOTES, '\n'):gsub('I has a', 'I have a')
  vim.wait(TIMEOUT, function()
    return text(buf) == want
  end, 50)
  check(text(buf) == want, ('buffer after the fix:\n%s\nwant:\n%s\noffered: %s'):format(text(buf), want, vim.inspect(offered)))
  check(vim.tbl_contains(offered, 'Other: sort the list'), 'code actions of both servers were offered: ' .. vim.inspect(offered))
  vim.cmd('silent write')
  vim.wait(TIMEOUT, function()
    return margin_diagnostic(buf, 'has') == nil
  end, 50)
  check(margin_diagnostic(buf, 'has') == nil, 'the fixed finding is still reported')

  -- 3. :MarginStatus -----------------------------------------------------------------------------
  step(':MarginStatus')
  local before = #notes
  vim.cmd('MarginStatus')
  vim.wait(10000, function()
    return #notes > before
  end, 20)
  local status = notes[#notes] and notes[#notes].msg or ''
  check(
    #notes > before
      and status:find('model: .*%(ready%)')
      and status:find('threads: 1', 1, true)
      and status:find('cache hits', 1, true)
      and status:find('proofread: .*%(setting `model`, ready%)')
      and status:find('Config files', 1, true),
    'status: ' .. status
  )

  -- 4. Hover translation ------------------------------------------------------------------------
  step('hover translation')
  -- A sentence SmolLM2-135M translates (longer ones often come back untranslated).
  local GERMAN = 'Der Hund ist sehr groß.'
  local gbuf = open('reisebericht.md', { '# Reisebericht', '', GERMAN })
  local gclient = wait_client(gbuf, 'margin')
  if check(gclient, 'margin did not attach to the second buffer') then
    local params = { textDocument = { uri = vim.uri_from_bufnr(gbuf) }, position = { line = 2, character = 10 } }
    local res, rerr = gclient:request_sync('textDocument/hover', params, TIMEOUT, gbuf)
    if check(res and not res.err, ('hover: %s'):format(vim.inspect(res and res.err or rerr))) then
      local contents = res.result and res.result.contents
      local value = type(contents) == 'table' and (contents.value or (contents[1] and (contents[1].value or contents[1])))
        or contents
      check(type(value) == 'string' and vim.trim(value) ~= '', 'hover is empty: ' .. vim.inspect(res.result))
      local body = type(value) == 'string' and vim.trim(value:match('\n\n(.*)$') or '') or ''
      check(not (value or ''):find('could not translate', 1, true), 'no translation: ' .. vim.inspect(value))
      check(body ~= '' and not body:find('Der Hund ist sehr', 1, true), 'hover body is not a translation: ' .. vim.inspect(value))
      check(type(contents) ~= 'table' or contents.kind == nil or contents.kind == 'markdown', 'hover is not Markdown')
    end
  end

  -- 5. Completion ------------------------------------------------------------------------------
  step('completion')
  local pbuf = open('shapes.py', {
    'def area(width, height):',
    '    """Return the area of a rectangle."""',
    '    return width * height',
    '',
    '',
    'def perimeter(width, height):',
    '    """Return the perimeter of a rectangle."""',
    '    return ',
  })
  local pclient = wait_client(pbuf, 'margin')
  if check(pclient, 'margin did not attach to the Python buffer') then
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(pbuf) },
      position = { line = 7, character = 11 },
      context = { triggerKind = 1 },
    }
    local res, rerr = pclient:request_sync('textDocument/completion', params, TIMEOUT, pbuf)
    if check(res and not res.err, ('completion: %s'):format(vim.inspect(res and res.err or rerr))) then
      local r = res.result
      check(r == nil or r == vim.NIL or vim.islist(r) or type(r.items) == 'table', 'completion result: ' .. vim.inspect(r))
    end
  end

  -- 6. :MarginRestart ---------------------------------------------------------------------------
  step(':MarginRestart')
  local old = margin_client(buf)
  vim.cmd('MarginRestart')
  local new = wait_client(buf, 'margin', old and old.id)
  check(new, 'no new margin client after :MarginRestart')
  check(old == nil or old:is_stopped(), 'the old client is still running')
  check(#vim.lsp.get_clients({ name = 'margin' }) == 1, 'one margin client after restart, got ' .. #vim.lsp.get_clients({ name = 'margin' }))
  check(wait_client(buf, 'other'), 'the other server was disturbed by the restart')

  for _, n in ipairs(notes) do
    check(n.level < vim.log.levels.WARN, 'unexpected notification: ' .. n.msg)
  end
  step('server messages')
  for _, m in ipairs(server_messages) do
    check(m.type > 2, 'unexpected window/showMessage: ' .. m.message)
  end
end)
if not ok then
  fail('Lua error: ' .. tostring(err))
end

step('shutdown')
for _, c in ipairs(vim.lsp.get_clients()) do
  c:stop()
end
vim.wait(10000, function()
  return #vim.lsp.get_clients() == 0
end, 20)
for _, c in ipairs(vim.lsp.get_clients()) do
  c:stop(true)
end

current = 'server exits'
check(#exits >= 2, ('%d margin servers exited, want 2 (one stopped by :MarginRestart, one at the end)'):format(#exits))
for _, e in ipairs(exits) do
  check(e.code == 0 and e.signal == 0, ('margin server (client %d) exited with code %d, signal %d'):format(e.id, e.code, e.signal))
end

if #failures > 0 then
  io.stderr:write(('nvim plugin (%s): %d check(s) failed; traces: %s, %s\n'):format(variant, #failures, lsp_log, server_trace))
  os.exit(1)
end
io.stdout:write(('nvim plugin (%s): ok (Neovim %s); traces: %s\n'):format(variant, tostring(vim.version()), trace_dir))
os.exit(0)
