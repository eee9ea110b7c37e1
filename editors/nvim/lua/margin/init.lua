-- margin for Neovim: runs `margin serve` as an extra language server.
--
--   require('margin').setup({
--     settings = { model = vim.fn.expand('~/models/smollm2.gguf'), readingLanguage = 'en' },
--   })
--
-- Neovim 0.11+: vim.lsp.config + vim.lsp.enable (margin attaches next to the buffer's other
-- servers). Neovim 0.10: a FileType autocommand calling vim.lsp.start. Commands: :MarginStatus,
-- :MarginRestart. See editors/nvim/README.md for every option.

local M = {}

local NAME = 'margin'

--- Neovim filetypes of the languages margin reads.
M.filetypes = {
  'markdown',
  'text',
  'gitcommit',
  'rust',
  'python',
  'javascript',
  'javascriptreact',
  'typescript',
  'typescriptreact',
  'go',
  'c',
  'cpp',
  'lua',
  'sh',
  'bash',
  'zsh',
  'toml',
  'yaml',
  'tex',
}

M.defaults = {
  --- The server command; its first element must be an executable (on PATH or a path).
  cmd = { 'margin', 'serve' },
  filetypes = M.filetypes,
  --- Files or directories marking the workspace root (else the file's directory).
  root_markers = { 'margin.toml', '.margin', '.git' },
  --- margin's settings (camelCase keys, see the README): sent as init_options and as the
  --- `margin` section of workspace/configuration.
  settings = {},
}

-- Keys of setup() consumed here; every other key (on_attach, capabilities, cmd_env, handlers,
-- ...) is passed on to the LSP client configuration as is.
local OWN = { cmd = true, filetypes = true, root_markers = true, settings = true }

local has_011 = vim.fn.has('nvim-0.11') == 1
-- vim.lsp.config + vim.lsp.enable on 0.11+; `vim.g.margin_use_lsp_start = true` selects the
-- vim.lsp.start path (the one Neovim 0.10 uses) on 0.11 too.
local function use_enable()
  return has_011 and not vim.g.margin_use_lsp_start
end

local state = {
  config = nil, -- resolved options
  failed = nil, -- why margin does not start automatically (until :MarginRestart)
  notified = {}, -- error messages already shown (each once)
  initialized = {}, -- client id -> true once `initialize` succeeded
  crashes = {}, -- times (seconds) of crashes of initialized servers
  stopping = {}, -- client ids stopped on purpose
}

local function notify_once(msg, level)
  if state.notified[msg] then
    return
  end
  state.notified[msg] = true
  vim.notify(msg, level or vim.log.levels.ERROR, { title = 'margin' })
end

local function cmd_text(cmd)
  return table.concat(cmd, ' ')
end

--- An empty Lua table is encoded as a JSON array; settings must be an object.
local function object(t)
  if t == nil or next(t) == nil then
    return vim.empty_dict()
  end
  return t
end

--- Whether margin may start now; reports (once) why not.
local function can_start()
  local cfg = state.config
  if state.failed then
    return false
  end
  local exe = cfg.cmd[1]
  if vim.fn.executable(exe) ~= 1 then
    state.failed = ('margin: the server command `%s` is not executable (not found%s). Install margin (`cargo install --path .` in its repository) or set `cmd` in require("margin").setup({ cmd = { "/path/to/margin", "serve" } }).'):format(
      exe,
      exe:find('/', 1, true) and '' or ' on PATH'
    )
    notify_once(state.failed)
    return false
  end
  return true
end

local function root_for(bufnr)
  local root = vim.fs.root(bufnr, state.config.root_markers)
  if root then
    return root
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  return name ~= '' and vim.fs.dirname(name) or vim.uv.cwd()
end

local function on_exit(code, signal, client_id)
  local initialized = state.initialized[client_id]
  state.initialized[client_id] = nil
  if state.stopping[client_id] then
    state.stopping[client_id] = nil
    return
  end
  if code == 0 and (signal == 0 or signal == 15) then
    return
  end
  local cmd = cmd_text(state.config.cmd)
  if not initialized then
    -- A crash at start would crash again for every buffer opened: stop starting it.
    state.failed = ('margin: the server (`%s`) exited with code %d before it finished starting; it will not be started again. Check the `cmd` option of require("margin").setup() and :LspLog, then run :MarginRestart.'):format(
      cmd,
      code
    )
    notify_once(state.failed)
    return
  end
  local now = vim.uv.now() / 1000
  local recent = {}
  for _, t in ipairs(state.crashes) do
    if now - t < 180 then
      table.insert(recent, t)
    end
  end
  table.insert(recent, now)
  state.crashes = recent
  if #recent > 3 then
    state.failed = ('margin: the server (`%s`) crashed %d times in 3 minutes; it will not be started again. See :LspLog and the `cmd` option, then run :MarginRestart.'):format(
      cmd,
      #recent
    )
    notify_once(state.failed)
  end
end

local function on_init(client)
  state.initialized[client.id] = true
end

--- The vim.lsp client configuration for margin.
local function lsp_config()
  local cfg = state.config
  local lsp = {}
  for k, v in pairs(cfg) do
    if not OWN[k] then
      lsp[k] = v
    end
  end
  lsp.name = NAME
  lsp.cmd = cfg.cmd
  lsp.filetypes = cfg.filetypes
  lsp.init_options = object(cfg.settings)
  lsp.settings = { margin = object(cfg.settings) }
  lsp.on_init = function(client, result)
    on_init(client)
    if cfg.on_init then
      return cfg.on_init(client, result)
    end
  end
  lsp.on_exit = function(code, signal, client_id)
    on_exit(code, signal, client_id)
    if cfg.on_exit then
      cfg.on_exit(code, signal, client_id)
    end
  end
  return lsp
end

local function clients(bufnr)
  return vim.lsp.get_clients({ name = NAME, bufnr = bufnr })
end

-- Client methods are called with `:` from 0.11 on and with `.` before.
local function request(client, method, params, handler, bufnr)
  if has_011 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

local function stop(client)
  if has_011 then
    client:stop()
  else
    client.stop()
  end
end

local function is_stopped(client)
  if has_011 then
    return client:is_stopped()
  end
  return client.is_stopped()
end

local function start_buffer(bufnr)
  if not vim.tbl_contains(state.config.filetypes, vim.bo[bufnr].filetype) or vim.bo[bufnr].buftype ~= '' then
    return
  end
  if not can_start() then
    return
  end
  local config = lsp_config()
  config.root_dir = root_for(bufnr)
  vim.lsp.start(config, { bufnr = bufnr })
end

local function attach_loaded_buffers()
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(state.config.filetypes, vim.bo[buf].filetype) then
      if use_enable() then
        pcall(vim.api.nvim_exec_autocmds, 'FileType', { group = 'nvim.lsp.enable', buffer = buf, modeline = false })
      else
        start_buffer(buf)
      end
    end
  end
end

--- Starts margin for the configured filetypes. `opts`: cmd, filetypes, root_markers,
--- settings, and any vim.lsp client option (on_attach, capabilities, cmd_env, ...).
function M.setup(opts)
  opts = opts or {}
  for _, key in ipairs({ 'cmd', 'filetypes', 'root_markers', 'settings' }) do
    if opts[key] ~= nil and type(opts[key]) ~= 'table' then
      error(('margin.setup: `%s` must be a table, got %s'):format(key, type(opts[key])), 2)
    end
  end
  state.config = vim.tbl_extend('force', vim.deepcopy(M.defaults), opts)
  state.failed, state.notified, state.crashes = nil, {}, {}

  local group = vim.api.nvim_create_augroup('margin', { clear = true })
  if use_enable() then
    local config = lsp_config()
    -- root_dir as a function: Neovim starts the client only when on_dir is called, so a
    -- server that failed is not started again for every buffer.
    config.root_dir = function(bufnr, on_dir)
      if can_start() then
        on_dir(root_for(bufnr))
      end
    end
    -- Assigned, not merged (vim.lsp.config() would merge lists by index): setup() owns the
    -- margin config; vim.lsp.config('*', ...) defaults still apply.
    vim.lsp.config[NAME] = config
    vim.lsp.enable(NAME)
    -- vim.lsp.enable skips a non-executable cmd with only a log entry: say it once.
    vim.api.nvim_create_autocmd('FileType', {
      group = group,
      pattern = state.config.filetypes,
      callback = function(args)
        if vim.bo[args.buf].buftype == '' then
          can_start()
        end
      end,
    })
  else
    vim.api.nvim_create_autocmd('FileType', {
      group = group,
      pattern = state.config.filetypes,
      callback = function(args)
        start_buffer(args.buf)
      end,
    })
  end
  if vim.v.vim_did_enter == 1 then
    attach_loaded_buffers()
  end

  vim.api.nvim_create_user_command('MarginStatus', function()
    M.status(function(lines, level)
      vim.notify(table.concat(lines, '\n'), level, { title = 'margin' })
    end)
  end, { desc = 'margin: models per task, threads, cache hits, documents, doctor report' })
  vim.api.nvim_create_user_command('MarginRestart', function()
    M.restart()
  end, { desc = 'margin: restart the language server' })
end


--- Formats a `margin/status` result: the server's state, each task's model and where it came
--- from, and (when asked for) the `margin doctor` report in the server's own words.
function M.format_status(s)
  local m = s.model or {}
  local checks = s.checks or {}
  local lines = {
    ('margin %s'):format(s.version or '?'),
    ('model: %s (%s%s)'):format(
      m.name or m.path or 'none',
      m.state or 'unknown',
      (m.error and m.error ~= vim.NIL) and (': ' .. m.error) or ''
    ),
    ('threads: %s'):format(tostring((s.threads ~= vim.NIL and s.threads) or (m.threads ~= vim.NIL and m.threads) or 'automatic')),
    ('checks: %d regions, %d cache hits, %d model calls'):format(
      checks.regions or 0,
      checks.cacheHits or 0,
      checks.modelCalls or 0
    ),
  }
  for _, name in ipairs({ 'translations', 'suggestions' }) do
    local stats = s[name]
    if type(stats) == 'table' then
      table.insert(lines, ('%s: %d cache hits, %d model calls'):format(name, stats.cacheHits or 0, stats.modelCalls or 0))
    end
  end
  for _, d in ipairs(s.documents or {}) do
    local what = (d.skipped and d.skipped ~= vim.NIL) and ('skipped: ' .. d.skipped)
      or ((d.findings == nil or d.findings == vim.NIL) and 'checking' or (d.findings .. ' findings'))
    table.insert(lines, ('  %s: %s'):format(vim.uri_to_fname(d.uri), what))
  end
  local set = function(v)
    return v ~= nil and v ~= vim.NIL
  end
  for _, t in ipairs(s.models or {}) do
    if set(t.reference) then
      table.insert(lines, ('%s: %s (%s, %s)'):format(t.task, t.reference, set(t.from) and t.from or '?', t.state or '?'))
    else
      table.insert(lines, ('%s: no model: %s'):format(t.task, set(t.problem) and t.problem or '?'))
    end
  end
  if type(s.doctorText) == 'string' then
    table.insert(lines, '')
    vim.list_extend(lines, vim.split(s.doctorText, '\n', { trimempty = true }))
  end
  return lines
end

--- Asks the running server for its status and doctor report; calls `cb(lines, level)`.
function M.status(cb)
  local list = clients(0)
  if #list == 0 then
    list = clients()
  end
  if #list == 0 then
    cb({ state.failed or 'margin: not running (no margin server attached; :MarginRestart starts it)' }, vim.log.levels.WARN)
    return
  end
  request(list[1], 'margin/status', { doctor = true }, function(err, result)
    if err then
      cb({ 'margin/status failed: ' .. (err.message or vim.inspect(err)) }, vim.log.levels.ERROR)
    else
      cb(M.format_status(result), vim.log.levels.INFO)
    end
  end, 0)
end

--- Stops margin's servers and starts them again for every loaded buffer (clears a failure).
function M.restart()
  if not state.config then
    vim.notify('margin: call require("margin").setup() first', vim.log.levels.ERROR)
    return
  end
  local old = clients()
  for _, c in ipairs(old) do
    state.stopping[c.id] = true
    stop(c)
  end
  vim.wait(5000, function()
    for _, c in ipairs(old) do
      if not is_stopped(c) then
        return false
      end
    end
    return true
  end, 20)
  state.failed, state.notified, state.crashes = nil, {}, {}
  attach_loaded_buffers()
end

return M
