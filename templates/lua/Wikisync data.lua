-- Module:Wikisync data
--
-- Reads the JSON data pages that wikisync writes (wikisync/data.schema.json) with
-- mw.loadJsonData, so that any page can show a figure of the corpus that stays right after
-- every sync.  Two kinds of page: a source's "<source>/data.json" (it has "shape" and "counts")
-- and the aggregate (it has "sources", "matrix" and "totals").
--
--   {{#invoke:Wikisync data|count|page=P|role=theme|code=A}}            statements coded A
--   {{#invoke:Wikisync data|count|page=P|code=A|source=T}}              ... on source T only
--   {{#invoke:Wikisync data|statements|page=P}}                         all statements
--   {{#invoke:Wikisync data|statements|page=P|source=T}} or |track=A    one source's, one track's
--   {{#invoke:Wikisync data|participants|page=P}}, with |source=T or |track=B
--   {{#invoke:Wikisync data|sources|page=P}}, with |track=A             how many sources
--   {{#invoke:Wikisync data|keyword|page=P|keyword=translation}}        a keyword's frequency
--   {{#invoke:Wikisync data|link|page=P|id=§Hb1.3}}                     a link to a statement's row
--   {{#invoke:Wikisync data|cited|page=P}}, with |source=T or |summary=S  statements some summary cites
--   {{#invoke:Wikisync data|citations|page=P}}, with |summary=S          citations the summaries write
--
-- role defaults to "theme"; an empty code= means the statements without a code.  Numbers are
-- formatted for readers (1,846); add |raw=1 for a bare number to use in {{#expr:}}.  Whatever
-- cannot be answered (no such page, not a JSON page, no such code, source or track, a page not
-- laid out or nested as wikisync writes them) gives a one-line message in <strong class="error">, which {{#iferror:}} can test, never a script error.
-- Arguments are taken from the #invoke, else from the template that calls it.

local p = {}

local PREFIX = 'Wikisync data: '

-- A message that tells the reader what is missing, not a Lua error.
local function problem(text)
	return mw.html.create('strong')
		:addClass('error')
		:addClass('wikisync-data-error')
		:wikitext(PREFIX .. mw.text.nowiki(text))
end

-- A failure carried up to the entry point as a value (so pcall is needed only around loading).
local Failure = {}
Failure.__index = Failure

local function fail(text)
	return setmetatable({ text = text }, Failure)
end

local function is_failure(value)
	return getmetatable(value) == Failure
end

local function arguments(frame)
	local args = {}
	local parent = frame:getParent()
	if parent then
		for key, value in pairs(parent.args) do
			args[key] = mw.text.trim(value)
		end
	end
	for key, value in pairs(frame.args) do
		args[key] = mw.text.trim(value)
	end
	return args
end

local NOT_OURS = ': not a data page as wikisync writes it'

-- How deep a data page may nest: wikisync's go 5 levels down.  Scribunto hands a page about a
-- hundred levels deep to Lua with an exception that fails the whole page, which no pcall catches,
-- so the text is measured before it is loaded.
local MAX_DEPTH = 32

-- Whether a JSON text nests deeper than limit (brackets inside strings do not count).
local function nests_deeper(text, limit)
	local depth, at = 0, 1
	while true do
		local found, _, char = string.find(text, '([%[%]{}"])', at)
		if not found then
			return false
		end
		at = found + 1
		if char == '"' then
			local closed = false
			while not closed do
				local stop = string.find(text, '["\\]', at)
				if not stop then
					return false
				end
				if string.byte(text, stop) == 92 then  -- a backslash: the next character is escaped
					at = stop + 2
				else
					at = stop + 1
					closed = true
				end
			end
		elseif char == '[' or char == '{' then
			depth = depth + 1
			if depth > limit then
				return true
			end
		else
			depth = depth - 1
		end
	end
end

local function load_data(args)
	local page = args.page
	if not page or page == '' then
		return fail('no page= given (the title of a wikisync data page)')
	end
	local title = mw.title.new(page)
	local text = title and title:getContent()
	if not text then
		return fail('"' .. page .. '" is not a JSON page that exists')
	end
	if nests_deeper(text, MAX_DEPTH) then
		return fail('"' .. page .. '" nests deeper than ' .. MAX_DEPTH .. ' levels' .. NOT_OURS)
	end
	local ok, data = pcall(mw.loadJsonData, page)
	if not ok then
		return fail('"' .. page .. '" is not a JSON page that exists')
	end
	if type(data.wikisync) ~= 'table' then
		return fail('"' .. page .. '" is a JSON page, but not one that wikisync wrote')
	end
	return data
end

local function is_aggregate(data)
	return data.sources ~= nil and data.totals ~= nil
end

-- A JSON object's member.  PHP's JSON decoder turns keys such as "1" into integers, and so
-- Lua sees them as numbers: try the text, then the number it spells.
local function member(object, key)
	if type(object) ~= 'table' or key == nil then
		return nil
	end
	local value = object[key]
	if value == nil and tonumber(key) ~= nil then
		value = object[tonumber(key)]
	end
	return value
end

-- The source that source= names, or the failure that says the page has none of that title.
local function named_source(data, args)
	for _, source in ipairs(data.sources) do
		if source.title == args.source then
			return source
		end
	end
	return fail('no source "' .. args.source .. '" in "' .. args.page .. '"')
end

local function not_the_aggregate(args)
	return fail('"' .. args.page .. '" is one source\'s data page, not the aggregate')
end

local function format_number(number, args)
	if args.raw and args.raw ~= '' and args.raw ~= '0' and args.raw ~= 'no' then
		return tostring(number)
	end
	return mw.getContentLanguage():formatNum(number)
end

local function length(list)
	local n = 0
	for _ in ipairs(list) do
		n = n + 1
	end
	return n
end

-- Each query returns a number, a text or a Failure.

local function q_count(data, args)
	local role = (args.role and args.role ~= '') and args.role or 'theme'
	local code = args.code
	if code == nil then
		return fail('no code= given (e.g. code=A; code= with nothing counts the uncoded statements)')
	end
	local by_code
	if is_aggregate(data) then
		by_code = data.totals.by_code
	else
		if args.source and args.source ~= '' and args.source ~= data.title then
			return fail('"' .. args.page .. '" holds only "' .. tostring(data.title) .. '"; use the aggregate for source=')
		end
		by_code = data.counts
	end
	local codes = member(by_code, role)
	if codes == nil then
		return fail('no statements are coded by ' .. role .. ' in "' .. args.page .. '"')
	end
	local total = member(codes, code)
	if total == nil then
		return fail('no ' .. role .. ' code "' .. code .. '" in "' .. args.page .. '"')
	end
	if is_aggregate(data) and args.source and args.source ~= '' then
		local source = named_source(data, args)
		if is_failure(source) then
			return source
		end
		return member(member(member(data.matrix, role), code), args.source) or 0
	end
	return total
end

local function track_totals(data, args)
	local totals = member(data.totals.by_track, args.track)
	if totals == nil then
		return fail('no track "' .. args.track .. '" in "' .. args.page .. '"')
	end
	return totals
end

local function q_statements(data, args)
	if not is_aggregate(data) then
		return length(data.statements or {})
	end
	if args.source and args.source ~= '' then
		local source = named_source(data, args)
		if is_failure(source) then
			return source
		end
		return source.statements
	end
	if args.track and args.track ~= '' then
		local totals = track_totals(data, args)
		return is_failure(totals) and totals or totals.statements
	end
	return data.totals.statements
end

-- A count as the page gives it: the number, else the text that could not be read as one.
local function participants_of(record)
	if record.participants ~= nil then
		return record.participants
	end
	if record.participants_text and record.participants_text ~= '' then
		return mw.text.nowiki(record.participants_text)
	end
	return fail('the participants of "' .. tostring(record.title) .. '" are not given')
end

local function q_participants(data, args)
	if not is_aggregate(data) then
		local info = data.info
		if info == nil then
			return fail('"' .. args.page .. '" has no participants (a ' .. tostring(data.shape) .. ' source)')
		end
		return participants_of({ title = data.title, participants = info.participants,
			participants_text = info.participants_text })
	end
	if args.source and args.source ~= '' then
		local source = named_source(data, args)
		if is_failure(source) then
			return source
		end
		return participants_of(source)
	end
	if args.track and args.track ~= '' then
		local totals = track_totals(data, args)
		return is_failure(totals) and totals or totals.participants
	end
	return data.totals.participants
end

local function q_sources(data, args)
	if not is_aggregate(data) then
		return not_the_aggregate(args)
	end
	if args.track and args.track ~= '' then
		local totals = track_totals(data, args)
		return is_failure(totals) and totals or totals.sources
	end
	return data.totals.sources
end

local function q_keyword(data, args)
	if not is_aggregate(data) then
		return not_the_aggregate(args)
	end
	local wanted = mw.ustring.lower(args.keyword or '')
	if wanted == '' then
		return fail('no keyword= given')
	end
	for _, entry in ipairs(data.keywords) do
		if mw.ustring.lower(entry.keyword) == wanted then
			return entry.count
		end
	end
	return fail('the keyword "' .. args.keyword .. '" is not in the table of "' .. args.page .. '"')
end

local function q_link(data, args)
	if not is_aggregate(data) then
		return not_the_aggregate(args)
	end
	local id = args.id or ''
	local target = member(data.index, id)
	if target == nil then
		return fail('no statement "' .. id .. '" in the index of "' .. args.page .. '"')
	end
	return '[[' .. target .. '|' .. id .. ']]'
end

-- What the summaries cite: told only by a page written while the page map had summaries.
local function no_citations(args)
	return fail('"' .. args.page .. '" tells no citations (its page map has no summaries)')
end

local function find_summary(data, args)
	if data.summaries == nil then
		return no_citations(args)
	end
	for _, summary in ipairs(data.summaries) do
		if summary.title == args.summary then
			return summary
		end
	end
	return fail('no summary "' .. args.summary .. '" in "' .. args.page .. '"')
end

local function q_cited(data, args)
	if not is_aggregate(data) then
		local cited, told = 0, false
		for _, statement in ipairs(data.statements or {}) do
			if statement.cited_by ~= nil then
				told = true
				if length(statement.cited_by) > 0 then
					cited = cited + 1
				end
			end
		end
		return told and cited or no_citations(args)
	end
	if args.summary and args.summary ~= '' then
		local summary = find_summary(data, args)
		return is_failure(summary) and summary or summary.cited
	end
	if args.source and args.source ~= '' then
		local source = named_source(data, args)
		if is_failure(source) then
			return source
		end
		return source.cited == nil and no_citations(args) or source.cited
	end
	return data.totals.cited == nil and no_citations(args) or data.totals.cited
end

local function q_citations(data, args)
	if not is_aggregate(data) then
		return not_the_aggregate(args)
	end
	if args.summary and args.summary ~= '' then
		local summary = find_summary(data, args)
		return is_failure(summary) and summary or summary.citations
	end
	if data.summaries == nil then
		return no_citations(args)
	end
	local written = 0
	for _, summary in ipairs(data.summaries) do
		written = written + summary.citations
	end
	return written
end

local function entry(query)
	return function(frame)
		local args = arguments(frame)
		local data = load_data(args)
		local result = data
		if not is_failure(data) then
			-- a page edited out of wikisync's shape (a number where an object should be) is a
			-- message too, not a script error
			local ok, answer = pcall(query, data, args)
			result = answer
			if not ok then
				result = fail('"' .. args.page .. '" is not laid out as wikisync writes its data pages')
			end
		end
		if is_failure(result) then
			return tostring(problem(result.text))
		end
		if type(result) == 'number' then
			return format_number(result, args)
		end
		if type(result) ~= 'string' then
			-- Lua would print "table" (or "true", or nothing)
			local found = type(result) == 'table' and 'a list' or (result == nil and 'nothing' or 'a ' .. type(result))
			return tostring(problem('"' .. args.page .. '" holds ' .. found .. ' where this figure should be' .. NOT_OURS))
		end
		return result
	end
end

p.count = entry(q_count)
p.statements = entry(q_statements)
p.participants = entry(q_participants)
p.sources = entry(q_sources)
p.keyword = entry(q_keyword)
p.link = entry(q_link)
p.cited = entry(q_cited)
p.citations = entry(q_citations)

return p
