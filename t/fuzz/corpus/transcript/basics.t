Transcript basics: state carries from one command to the next in one shell session.
simpcon: --hostname transcript-box

  $ echo hello
  hello
  $ hostname
  transcript-box
  $ cd /tmp && X=5
  $ echo "$X $(pwd)"
  5 /tmp
  $ false
  [1]
  $ echo to-stderr >&2
  to-stderr
  $ printf 'no newline'
  no newline (no-eol)
  $ ls /bin | grep -c .
  [1-9][0-9]* (re)
  $ echo /b*n/sh
  /b?n/* (glob)
  $ printf 'tab\there\n'
  tab\there (esc)
  $ echo multi &&
  > echo line
  multi
  line
