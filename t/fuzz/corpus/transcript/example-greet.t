greet greets, and refuses to guess a name.

  $ /build/greet world
  hello, world
  $ /build/greet
  usage: greet NAME
  [2]
  $ cd /tmp && /build/greet "$(hostname)"
  hello, simpcon
