-- Headless Neovim client test for `margin serve`.
--
--   MARGIN_BIN=target/debug/margin nvim --headless --clean -l tests/clients/nvim/handshake.lua
--
-- Runs two scenarios against a fresh server each: Neovim's default capabilities (the server
-- must pick utf-8) and positionEncodings forced to { "utf-16" }. Each one edits a Markdown
-- buffer full of CJK and emoji so Neovim sends incremental didChange, then compares the
-- server's copy (margin/documentText) with the buffer. JSON-RPC trace (Neovim's LSP log at
-- debug level, server stderr included): target/client-traces/nvim/handshake.log

local root = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h:h:h')
local bin = os.getenv('MARGIN_BIN') or 'target/debug/margin'
if bin:sub(1, 1) ~= '/' then
  bin = root .. '/' .. bin
end

local trace_dir = root .. '/target/client-traces/nvim'
local trace = trace_dir .. '/handshake.log'
local server_trace = trace_dir .. '/handshake-server.jsonl' -- MARGIN_TRACE_FILE, both scenarios
os.remove(server_trace)
vim.fn.mkdir(trace_dir, 'p')
os.remove(trace)
vim.lsp.log._set_filename(trace) -- private in 0.11, but the Neovim version is pinned
vim.lsp.log.set_level('debug')

local TIMEOUT = 10000
local failures = {}
local current = '?'

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

local function eq(got, want, what)
  return check(vim.deep_equal(got, want), ('%s: want %s, got %s'):format(what, vim.inspect(want), vim.inspect(got)))
end

-- Synchronous request; returns the result or nil (after recording a failure).
local function request(client, method, params, bufnr)
  local res, err = client:request_sync(method, params, TIMEOUT, bufnr)
  if not res then
    fail(('%s: no response (%s)'):format(method, tostring(err)))
    return nil
  end
  if res.err then
    fail(('%s: error response %s'):format(method, vim.inspect(res.err)))
    return nil
  end
  return res.result
end

-- What Neovim sends as the document text (see vim.lsp._buf_get_full_text).
local function buffer_text(buf)
  local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, true), '\n')
  return vim.bo[buf].eol and text .. '\n' or text
end

local function compare(client, buf, when)
  local uri = vim.uri_from_bufnr(buf)
  local got = request(client, 'margin/documentText', { uri = uri }, buf)
  if not got then
    return
  end
  eq(got.uri, uri, when .. ': documentText uri')
  eq(got.version, vim.lsp.util.buf_versions[buf], when .. ': documentText version')
  eq(got.text, buffer_text(buf), when .. ': documentText text')
end

-- Byte column just after the first occurrence of `needle` on 0-based `row`.
local function col_after(buf, row, needle)
  local line = vim.api.nvim_buf_get_lines(buf, row, row + 1, true)[1]
  local s, e = line:find(needle, 1, true)
  assert(s, ('%q not found on line %d: %q'):format(needle, row, line))
  return e, s - 1
end

local INITIAL = {
  '# Margin テスト 🚀',
  '',
  'The quick brown fox — jumps 🦊 over the lazy dog.',
  '日本語の文章です。绝对没问题 👍🏽 ok',
  'Emoji ZWJ: 👩‍💻 and flag 🇯🇵 end',
  'plain ascii line',
  'Ünïcödé äöü ß',
  'last line',
}

local function edit_batch_1(buf)
  local e = col_after(buf, 0, '🚀')
  vim.api.nvim_buf_set_text(buf, 0, e, 0, e, { ' 改稿' }) -- insert after emoji
  local e2, s = col_after(buf, 3, '绝对')
  vim.api.nvim_buf_set_text(buf, 3, s, 3, e2, { '絶対🙂' }) -- replace CJK
  local from = col_after(buf, 3, '日本語')
  local to = col_after(buf, 4, '👩‍💻')
  vim.api.nvim_buf_set_text(buf, 3, from, 4, to, { '' }) -- delete across lines
  e = col_after(buf, 2, '🦊')
  vim.api.nvim_buf_set_text(buf, 2, e, 2, e, { '', '新しい行 ✨', 'tail:' }) -- split a line
end

local function edit_batch_2(buf)
  vim.api.nvim_buf_set_text(buf, 1, 0, 1, 0, { '空行に👋' }) -- fill the empty line
  vim.api.nvim_win_set_cursor(0, { 7, 0 })
  vim.cmd('normal! dd') -- delete a whole line
  vim.api.nvim_win_set_cursor(0, { 5, 0 })
  vim.cmd('normal! J') -- join two lines
  vim.api.nvim_buf_set_lines(buf, -1, -1, true, { 'appended 🎉 末尾', '' }) -- append at end
  local e, s = col_after(buf, 0, '# ')
  vim.api.nvim_buf_set_text(buf, 0, s, 0, e, {}) -- delete at line start
  local last = vim.api.nvim_buf_line_count(buf) - 1
  vim.api.nvim_buf_set_text(buf, last - 2, 0, last, 0, { '' }) -- delete up to the last line
  e = col_after(buf, 0, '改')
  vim.api.nvim_buf_set_text(buf, 0, e, 0, e + #'稿', {}) -- delete one CJK char
end

local function scenario(name, cmd, capabilities, want_encoding)
  current = name
  local path = ('%s/nvim-%s.md'):format(vim.fn.tempname(), name)
  vim.fn.mkdir(vim.fs.dirname(path), 'p')
  vim.cmd.edit(vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = 'markdown'
  vim.api.nvim_buf_set_lines(buf, 0, -1, true, INITIAL)

  local exit_code, exit_signal
  local messages = {}
  local id = vim.lsp.start({
    name = 'margin-' .. name,
    cmd = cmd,
    cmd_env = { MARGIN_LOG = os.getenv('MARGIN_LOG') or 'debug', MARGIN_TRACE_FILE = server_trace },
    -- The server proofreads what it opens: give it the test model (scripts/test sets it).
    init_options = { model = os.getenv('MARGIN_TEST_MODEL'), threads = 1 },
    root_dir = vim.fs.dirname(path),
    capabilities = capabilities,
    handlers = {
      ['window/showMessage'] = function(_, result)
        table.insert(messages, result)
      end,
    },
    on_exit = function(code, signal)
      exit_code, exit_signal = code, signal
    end,
  }, { bufnr = buf })
  if not check(id, 'vim.lsp.start returned nil') then
    return
  end
  local client = assert(vim.lsp.get_client_by_id(id))

  local ok, err = pcall(function()
    local up = vim.wait(TIMEOUT, function()
      return client.initialized and vim.lsp.buf_is_attached(buf, id) or exit_code ~= nil
    end, 20)
    if not check(up and client.initialized, 'client did not initialize (exit code ' .. tostring(exit_code) .. ')') then
      return
    end
    eq(client.offset_encoding, want_encoding, 'negotiated offset encoding')
    eq(client.server_info and client.server_info.name, 'margin', 'serverInfo.name')
    local sync = client.server_capabilities.textDocumentSync or {}
    eq(sync.openClose, true, 'textDocumentSync.openClose')
    eq(sync.change, 2, 'textDocumentSync.change')
    eq(type(sync.save) == 'table' and sync.save.includeText, false, 'textDocumentSync.save.includeText')

    compare(client, buf, 'after didOpen')
    edit_batch_1(buf)
    compare(client, buf, 'after edit batch 1')
    edit_batch_2(buf)
    compare(client, buf, 'after edit batch 2')
    vim.cmd('silent write') -- didSave
    compare(client, buf, 'after write')

    local status = request(client, 'margin/status', vim.empty_dict(), buf)
    if status then
      check(type(status.version) == 'string', 'status.version is not a string')
      eq(status.positionEncoding, want_encoding, 'status.positionEncoding')
      local uri, doc = vim.uri_from_bufnr(buf), nil
      for _, d in ipairs(status.documents or {}) do
        if d.uri == uri then
          doc = d
        end
      end
      if check(doc, 'status.documents has no entry for ' .. uri) then
        eq(doc.version, vim.lsp.util.buf_versions[buf], 'status document version')
        eq(doc.language, 'markdown', 'status document language')
        eq(doc.bytes, #buffer_text(buf), 'status document bytes')
        eq(doc.inSync, true, 'status document inSync')
      end
    end

    for _, m in ipairs(messages) do
      check(m.type > 2, ('unexpected showMessage (only the test model was given): %s'):format(vim.inspect(m)))
    end
  end)
  if not ok then
    fail('Lua error: ' .. tostring(err))
  end

  client:stop()
  if not vim.wait(TIMEOUT, function()
    return exit_code ~= nil
  end, 20) then
    fail('server did not exit after shutdown/exit; killing it')
    client:stop(true)
    vim.wait(2000, function()
      return exit_code ~= nil
    end)
  else
    check(exit_code == 0 and exit_signal == 0, ('server exit: code %s, signal %s'):format(exit_code, exit_signal))
  end
  vim.cmd('bwipeout!')
end

if vim.fn.executable(bin) ~= 1 then
  io.stderr:write('FAIL margin binary not found or not executable: ' .. bin .. '\n')
  os.exit(1)
end

scenario('utf-8', { bin, 'serve' }, nil, 'utf-8')
scenario('utf-16', { bin, '--stdio' }, { general = { positionEncodings = { 'utf-16' } } }, 'utf-16')

if #failures > 0 then
  io.stderr:write(('nvim handshake: %d check(s) failed; trace: %s\n'):format(#failures, trace))
  os.exit(1)
end
io.stdout:write(('nvim handshake: ok (utf-8 and utf-16 scenarios, Neovim %s); trace: %s\n'):format(tostring(vim.version()), trace))
os.exit(0)
