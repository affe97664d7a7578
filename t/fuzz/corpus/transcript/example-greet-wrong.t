A deliberately failing test: greet does not capitalise.

  $ /build/greet world
  hello, World
