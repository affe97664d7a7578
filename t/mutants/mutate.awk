# t/mutants/mutate.awk - reads t/mutants/mutants.list (its format: README.md).
#
#   awk -v mode=names -f mutate.awk LIST                  the mutants' names, in order
#   awk -v mode=get -v name=N -v key=K -f mutate.awk LIST  the values of key K of mutant N, one a line
#   awk -v mode=apply -v name=N -v root=DIR -f mutate.awk LIST
#       applies N's edits to the files under DIR and prints the files it changed (relative to
#       DIR); with -v write=0 it only checks that every anchor is found exactly once
#
# Exit status 2, with a message naming the list's line, when the list is malformed or an anchor
# is not found exactly once: a mutation whose code has moved is an error, never skipped.

function fail(line, msg) {
	printf "%s:%d: %s\n", FILENAME, line, msg > "/dev/stderr"
	failed = 1
	exit 2
}

# Whether line defines function fn: it starts at column 0 and has fn( after no identifier
# character (a prototype is told apart by the caller, from what follows).
function names_function(line, fn,    rest, p, before) {
	if (line !~ /^[A-Za-z_]/)
		return 0
	rest = line
	while ((p = index(rest, fn "(")) > 0) {
		before = p > 1 ? substr(rest, p - 1, 1) : ""
		if (before !~ /[A-Za-z0-9_]/)
			return 1
		rest = substr(rest, p + 1)
	}
	return 0
}

# How many times s occurs in text.
function occurrences(text, s,    n, p) {
	n = 0
	while ((p = index(text, s)) > 0) {
		n++
		text = substr(text, p + length(s))
	}
	return n
}

function load(f,    path, n, line) {
	if (f in nlines)
		return
	path = root "/" f
	n = 0
	while ((getline line < path) > 0)
		text[f, ++n] = line
	close(path)
	if (n == 0)
		fail(eline[e], "[" name "] cannot read '" path "'")
	nlines[f] = n
}

# Sets first and last to the lines of edit e's search region: the body of the function it is
# in, from the line after its after anchor.
function region(e,    f, i, j, defs, hits) {
	f = efile[e]
	first = 1
	last = nlines[f]
	if (ein[e] != "") {
		defs = 0
		for (i = 1; i <= nlines[f]; i++) {
			if (!names_function(text[f, i], ein[e]))
				continue
			for (j = i; j <= nlines[f] && text[f, j] !~ /^\{/ && text[f, j] !~ /;[ \t]*$/; j++)
				;
			if (j <= nlines[f] && text[f, j] ~ /^\{/) {
				defs++
				first = i
			}
		}
		if (defs != 1)
			fail(eline[e], "[" name "] " f ": function '" ein[e] "' defined " defs " times")
		for (last = first + 1; last <= nlines[f] && text[f, last] !~ /^\}/; last++)
			;
	}
	if (eafter[e] != "") {
		hits = 0
		for (i = first; i <= last; i++)
			if (index(text[f, i], eafter[e])) {
				hits += occurrences(text[f, i], eafter[e])
				j = i
			}
		if (hits != 1)
			fail(eline[e], "[" name "] " f ": after-anchor '" eafter[e] "' found " hits " times" where(e))
		first = j + 1
	}
}

function where(e) {
	return ein[e] != "" ? " (in " ein[e] ")" : ""
}

BEGIN {
	if (mode != "names" && mode != "get" && mode != "apply") {
		print "mutate.awk: mode is names, get or apply" > "/dev/stderr"
		failed = 1
		exit 2
	}
	if (write == "")
		write = 1
	split("file in after find repl why point note run", k, " ")
	for (i in k)
		known[k[i]] = 1
}

/^[ \t]*#/ || /^[ \t]*$/ {
	next
}

/^\[/ {
	if ($0 !~ /^\[[a-z0-9][a-z0-9-]*\]$/)
		fail(FNR, "a mutant's header is [name], lowercase letters, digits and '-': " $0)
	cur = substr($0, 2, length($0) - 2)
	if (cur in seen)
		fail(FNR, "mutant '" cur "' listed twice")
	seen[cur] = FNR
	order[++count] = cur
	curfile = curin = curafter = ""
	pending = 0
	next
}

{
	field = $1
	value = $0
	sub(/^[a-z]+[ \t]*/, "", value)
	if (cur == "")
		fail(FNR, "'" field "' before the first [name]")
	if (!(field in known))
		fail(FNR, "unknown key '" field "' (file, in, after, find, repl, why, point, note, run)")
	if (pending && field != "repl")
		fail(FNR, "[" cur "] every find is followed by its repl")
	nvalues[cur, field]++
	values[cur, field, nvalues[cur, field]] = value
	if (field == "file") {
		curfile = value
	} else if (field == "in") {
		curin = value
	} else if (field == "after") {
		curafter = value
	} else if (field == "find") {
		if (curfile == "")
			fail(FNR, "[" cur "] find before any file")
		if (value == "")
			fail(FNR, "[" cur "] an empty anchor")
		pending = 1
		if (cur == name) {
			edits++
			efile[edits] = curfile
			ein[edits] = curin
			eafter[edits] = curafter
			efind[edits] = value
			eline[edits] = FNR
		}
		curin = curafter = ""
	} else if (field == "repl") {
		if (!pending)
			fail(FNR, "[" cur "] repl without a find")
		pending = 0
		if (cur == name)
			erepl[edits] = value
	}
}

END {
	if (failed)
		exit 2
	if (pending)
		fail(FNR, "[" cur "] the last find has no repl")
	for (i = 1; i <= count; i++) {
		if (!nvalues[order[i], "find"])
			fail(seen[order[i]], "[" order[i] "] has no find")
		if (!nvalues[order[i], "why"])
			fail(seen[order[i]], "[" order[i] "] has no why")
	}
	if (mode == "names") {
		for (i = 1; i <= count; i++)
			print order[i]
		exit 0
	}
	if (!(name in seen))
		fail(FNR, "no mutant named '" name "'")
	if (mode == "get") {
		for (i = 1; i <= nvalues[name, key]; i++)
			print values[name, key, i]
		exit 0
	}
	for (e = 1; e <= edits; e++) {
		f = efile[e]
		load(f)
		region(e)
		hits = 0
		for (i = first; i <= last; i++)
			if (index(text[f, i], efind[e])) {
				hits += occurrences(text[f, i], efind[e])
				at = i
			}
		if (hits != 1)
			fail(eline[e], "[" name "] " f ": anchor '" efind[e] "' found " hits " times" where(e))
		line = text[f, at]
		p = index(line, efind[e])
		text[f, at] = substr(line, 1, p - 1) erepl[e] substr(line, p + length(efind[e]))
		changed[f] = 1
	}
	for (f in changed) {
		if (write) {
			path = root "/" f
			printf "" > path
			for (i = 1; i <= nlines[f]; i++)
				print text[f, i] > path
			close(path)
		}
		print f
	}
}
